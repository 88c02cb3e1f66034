package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmupCosineExampleTest {

    @TempDir
    Path dir;

    @Test
    void perStepRunFollowsTheCurveAndTheDefaultRunStaysInTheWarmup() throws Exception {
        WarmupCosineExample.Result r = WarmupCosineExample.run(dir, 42);
        assertEquals(dir.resolve("interval_step/version_0/metrics.csv"), r.perStepCsv());
        assertEquals(dir.resolve("interval_default/version_0/metrics.csv"), r.perEpochCsv());
        // 320 samples in batches of 16 for 5 epochs: 100 optimizer steps, the tutorial's num_training_steps
        assertEquals(100, r.totalSteps());
        IntToDoubleFunction lambda = WarmupCosineExample.warmupCosine(10, 100, 1e-3, 1e-5);

        // "interval": "step": one lr row per optimizer step, each the schedule's value after that many steps
        List<Long> steps = new ArrayList<>();
        List<Double> expected = new ArrayList<>();
        for (int s = 0; s < 100; s++) {
            steps.add((long) s);
            expected.add(1e-3 * lambda.applyAsDouble(s));
        }
        assertEquals(steps, r.perStep().steps());
        assertEquals(expected, r.perStep().lrs());
        assertEquals(0.0, r.perStep().lrs().get(0));
        assertEquals(1e-3, r.perStep().lrs().get(10));
        assertTrue(r.perStep().lrs().get(99) < 2e-5);

        // no interval: the scheduler steps once per epoch, so five epochs see lambda(0..4) = 0 .. 40% of the peak
        assertEquals(List.of(0L, 20L, 40L, 60L, 80L), r.perEpoch().steps());
        assertEquals(List.of(0.0, 1e-3 * 0.1, 1e-3 * 0.2, 1e-3 * 0.3, 1e-3 * 0.4), r.perEpoch().lrs());

        String header = Files.readAllLines(r.perStepCsv()).get(0);
        assertEquals("custom_scheduler,epoch,step,train_loss", header);
        assertTrue(Files.readString(r.perStepCsv()).startsWith(header + "\r\n0.0,,0,\r\n,0,0,"));

        byte[] png = Files.readAllBytes(r.png());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        BufferedImage image = ImageIO.read(r.png().toFile());
        assertEquals(900, image.getWidth());
        assertEquals(500, image.getHeight());
    }

    @Test
    void launcherListsBothSchedulerExamples() {
        assertTrue(Launcher.scenarios().containsKey("warmup-cosine"));
        assertTrue(Launcher.scenarios().containsKey("gan-two-optimizers"));
    }
}
