package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartExampleTest {

    @TempDir
    Path dir;

    @Test
    void cosineStepsPerBatchAndTheMonitorLogsIt() throws Exception {
        Trainer trainer = QuickStartExample.fit(dir, 2);
        assertEquals(64, trainer.globalStep());
        List<String> lines = Files.readAllLines(dir.resolve("lightning_logs/version_0/metrics.csv"));
        assertEquals("epoch,lr-SGD,step,train_loss", lines.get(0));
        // LearningRateMonitor logs the step-interval scheduler at batch starts whose counter+1 is a multiple of 50:
        // step 49 shows the lr after 49 cosine steps: 0.05 * (1 + cos(pi * 49 / 1000)), via PyTorch's recursive form
        String row = lines.stream().filter(l -> l.startsWith(",") && l.endsWith(",49,")).findFirst().orElseThrow();
        double lr = Double.parseDouble(row.split(",")[1]);
        assertEquals(0.05 * (1 + Math.cos(Math.PI * 49 / 1000)), lr, 1e-12);
        assertTrue(lines.stream().anyMatch(l -> l.matches("1,,49,[0-9.e-]+")), String.join("\n", lines));
    }
}
