package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearRegressionExampleTest {

    @TempDir
    Path dir;

    @Test
    void learnsWeightThreeAndBiasTwoWithStepLrHalvingEveryTenEpochs() throws Exception {
        LinearRegressionExample.Result r = LinearRegressionExample.train(dir, 42);
        assertEquals(3.0, r.weight(), 0.05);
        assertEquals(2.0, r.bias(), 0.05);
        assertEquals(50, r.lrPerEpoch().size());
        // StepLR(step_size=10, gamma=0.5) from lr 0.1: PyTorch's values for epochs 0, 10, 20, 30, 40
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125, 0.00625),
                List.of(r.lrPerEpoch().get(0), r.lrPerEpoch().get(10), r.lrPerEpoch().get(20),
                        r.lrPerEpoch().get(30), r.lrPerEpoch().get(40)));
        assertEquals(0.1, r.lrPerEpoch().get(9));
        Path csv = dir.resolve("lightning_logs/version_0/metrics.csv");
        assertTrue(Files.exists(csv));
        // 32 batches per epoch, a row every 50 steps: 1600 steps -> 32 step rows plus no epoch rows (step-only metric)
        assertEquals(1 + 32, Files.readAllLines(csv).size());
    }

    @Test
    void launcherListsTheScenario() {
        assertTrue(Launcher.scenarios().containsKey("linear-regression"));
    }
}
