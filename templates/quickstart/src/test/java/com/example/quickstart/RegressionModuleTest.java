package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionModuleTest {
    @Test
    void learnsTheLinearTarget(@TempDir Path dir) {
        Trainer.seedEverything(42);
        Trainer trainer = Trainer.builder().maxEpochs(6).defaultRootDir(dir).enableProgressBar(false).build();
        trainer.fit(new RegressionModule(0.01), new RandomRegressionData(32));
        assertEquals(6 * 25, trainer.globalStep());
        double valLoss = trainer.callbackMetrics().get("val_loss");
        assertTrue(valLoss < 1.0, "val_loss " + valLoss);
    }
}
