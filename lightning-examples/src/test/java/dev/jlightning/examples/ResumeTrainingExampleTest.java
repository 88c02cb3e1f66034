package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeTrainingExampleTest {

    @TempDir
    Path dir;

    @Test
    void theResumedLearningRateContinuesExactlyWhereItWas() {
        ResumeTrainingExample.Result r = ResumeTrainingExample.train(dir);
        assertEquals(30, r.uninterruptedLrs().size());
        assertEquals(r.uninterruptedLrs().subList(15, 30), r.resumedLrs());
        // StepLR(10, 0.5) from 0.1: epochs 15-19 at 0.05, 20-29 at 0.025
        assertEquals(Collections.nCopies(5, 0.05), r.resumedLrs().subList(0, 5));
        assertEquals(Collections.nCopies(10, 0.025), r.resumedLrs().subList(5, 15));
        assertEquals(0.1, r.weightsOnlyRestartLr(), "without the scheduler's state the lr starts over");
        assertEquals(r.uninterruptedWeight(), r.resumedWeight());
        assertEquals(r.uninterruptedBias(), r.resumedBias());
        assertEquals(3.0, r.resumedWeight(), 0.05);
        assertTrue(Files.exists(dir.resolve("checkpoints/last.ckpt")));
        assertTrue(Files.exists(dir.resolve("checkpoints/epoch=29-step=210.ckpt")));
    }

    @Test
    void launcherListsTheScenario() {
        assertTrue(Launcher.scenarios().containsKey("resume-training"));

    }
}
