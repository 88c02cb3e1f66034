package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LRSchedulePreviewTest {

    @Test
    void rowTIsTheRateAfterTSteps() {
        double[][] rows = LRSchedulePreview.preview(Map.of("name", "StepLR", "step_size", 2, "gamma", 0.5),
                new double[] {0.1, 0.02}, 5);
        assertEquals(5, rows.length);
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025}, LRSchedulePreview.column(rows, 0), 1e-18);
        assertArrayEquals(new double[] {0.02, 0.02, 0.01, 0.01, 0.005}, LRSchedulePreview.column(rows, 1), 1e-18);
    }

    @Test
    void matchesTheParityFixtureOfTheSameConfig() {
        // seed 000's OneCycleLR, whose PyTorch numbers are in onecyclelr_seed.json
        double[][] rows = LRSchedulePreview.preview(Map.of("name", "OneCycleLR", "max_lr", 0.01, "epochs", 20,
                "steps_per_epoch", 15), new double[] {0.001}, 301);
        assertEquals(0.01 / 25, rows[0][0], 1e-18);
        double peak = 0;
        for (double[] row : rows) {
            peak = Math.max(peak, row[0]);
        }
        assertEquals(0.01, peak, 1e-15);
        assertTrue(rows[300][0] < 1e-6, "ends at initial_lr / final_div_factor: " + rows[300][0]);
    }

    @Test
    void plateauIsFedMetrics() {
        double[] losses = {1.0, 0.95, 0.92, 0.90, 0.89, 0.88, 0.87, 0.865, 0.863, 0.862, 0.862, 0.862};
        double[][] rows = LRSchedulePreview.preview(Map.of("name", "ReduceLROnPlateau", "factor", 0.5,
                "patience", 5), new double[] {0.1}, losses);
        assertEquals(13, rows.length);
        for (double[] row : rows) {
            assertEquals(0.1, row[0]); // seed 000: threshold 1e-4 rel keeps counting these as improvements
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LRSchedulePreview.preview(Map.of("name", "ReduceLROnPlateau"), new double[] {0.1}, 5));
        assertTrue(e.getMessage().contains("pass the metric values"), e.getMessage());
    }

    @Test
    void badArgumentsAreRejected() {
        Map<String, Object> config = Map.of("name", "ExponentialLR", "gamma", 0.9);
        assertThrows(IllegalArgumentException.class, () -> LRSchedulePreview.preview(config, new double[0], 3));
        assertThrows(IllegalArgumentException.class,
                () -> LRSchedulePreview.preview(config, new double[] {-0.1}, 3));
        assertThrows(IllegalArgumentException.class, () -> LRSchedulePreview.preview(config, new double[] {0.1}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> LRSchedulePreview.preview(Map.of("name", "ExponentialLR"), new double[] {0.1}, 3));
    }
}
