package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanExampleTest {

    @TempDir
    Path dir;

    @Test
    void twoOptimizersWithASchedulerEachSteppedByTheModule() throws Exception {
        GanExample.Result r = GanExample.train(dir, 60, 7);
        // 60 epochs of 8 batches, both optimizers step every batch
        assertEquals(960, r.globalStep());
        // StepLR(step_size=10, gamma=0.9) stepped at each of the 60 epoch ends: six decays each
        double decayed = 2e-3 * 0.9 * 0.9 * 0.9 * 0.9 * 0.9 * 0.9;
        assertEquals(decayed, r.lrs()[0]);
        assertEquals(decayed, r.lrs()[1]);

        List<String> lines = Files.readAllLines(r.metricsCsv());
        List<String> header = Arrays.asList(lines.get(0).split(","));
        assertEquals(List.of("d_loss", "epoch", "fake_mean", "g_loss", "lr-discriminator", "lr-generator", "step"),
                header);
        // LearningRateMonitor rows at each epoch start, both schedulers' names from their configs; the logger step
        // counts batches in manual optimization
        List<String> lrRows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            if (!c[5].isEmpty()) {
                lrRows.add(c[6] + ":" + c[5] + ":" + c[4]);
            }
        }
        assertEquals(60, lrRows.size());
        // Python's str() of 0.002 * 0.9 ** n, as the chained StepLR computes it
        assertEquals("0:0.002:0.002", lrRows.get(0));
        assertEquals("72:0.002:0.002", lrRows.get(9));
        assertEquals("80:0.0018000000000000002:0.0018000000000000002", lrRows.get(10));
        assertEquals("160:0.0016200000000000001:0.0016200000000000001", lrRows.get(20));
        assertEquals("472:0.00118098:0.00118098", lrRows.get(59));
        // one step row per batch besides
        assertEquals(480, lines.size() - 1 - lrRows.size());

        // the generator's samples end up near the real N(3, 0.5)
        assertTrue(Math.abs(r.statsAfter()[0] - 3.0) < 0.3, "mean " + r.statsAfter()[0]);
        assertTrue(Math.abs(r.statsAfter()[1] - 0.5) < 0.25, "std " + r.statsAfter()[1]);
        assertTrue(Math.abs(r.statsBefore()[0] - 3.0) > 2.5, "mean before " + r.statsBefore()[0]);
    }
}
