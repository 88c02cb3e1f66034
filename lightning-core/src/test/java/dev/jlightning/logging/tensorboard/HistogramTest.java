package dev.jlightning.logging.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Expected numbers printed by torch.utils.tensorboard.summary.make_histogram with SummaryWriter.default_bins. */
class HistogramTest {

    @Test
    void defaultEdgesAreSummaryWritersDefaultBins() {
        double[] edges = Histogram.defaultBucketEdges();
        assertEquals(1549, edges.length);
        assertEquals(0.0, edges[774]);
        assertEquals(1e-12, edges[775]);
        assertEquals(1.1000000000000002e-12, edges[776]);
        assertEquals(9.920775621859783e+19, edges[1548]);
        assertEquals(-9.920775621859783e+19, edges[0]);
    }

    @Test
    void bucketsSpanTheNonEmptyRangeWithOneEmptyBucketOnTheLeft() {
        Histogram h = Histogram.of(new double[] {1.0, 2.0, 2.0});
        assertArrayEquals(new double[] {0.917246389039776, 1.0089710279437536, 1.109868130738129, 1.220854943811942,
                1.3429404381931362, 1.47723448201245, 1.624957930213695, 1.7874537232350647, 1.9661990955585713,
                2.1628190051144287}, h.bucketLimits());
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 2}, h.buckets());
        assertEquals(1.0, h.min());
        assertEquals(2.0, h.max());
        assertEquals(3.0, h.num());
        assertEquals(5.0, h.sum());
        assertEquals(9.0, h.sumSquares());
    }

    @Test
    void negativeZeroCountsAsZeroAndTheFirstBucketGetsAZeroOnItsLeft() {
        Histogram h = Histogram.of(new double[] {-0.0});
        assertArrayEquals(new double[] {0.0, 1e-12}, h.bucketLimits());
        assertArrayEquals(new double[] {0.0, 1.0}, h.buckets());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(h.min()));
    }

    @Test
    void valuesBeyondTheRangeAreCountedInStatisticsButNotBuckets() {
        Histogram h = Histogram.of(new double[] {1.0, 3e20});
        assertEquals(2.0, h.num());
        assertEquals(3e20, h.max());
        double total = 0;
        for (double c : h.buckets()) {
            total += c;
        }
        assertEquals(1.0, total);
    }

    @Test
    void sumIsNumpysPairwiseSumNotLeftToRightSummation() {
        double[] values = new double[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.1 * (i % 7) + 1e-3 * i;
        }
        // numpy: np.array(values).sum() == 134.55; a Python for-loop sum gives 134.55000000000007.
        assertEquals(134.55, Histogram.of(values).sum());
        double leftToRight = 0;
        for (double v : values) {
            leftToRight += v;
        }
        assertEquals(134.55000000000007, leftToRight);
    }

    @Test
    void emptyInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void nonFiniteInputIsRejectedWithItsIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Histogram.of(new double[] {1.0, Double.NaN}));
        assertEquals("histogram value at index 1 is NaN; only finite values are accepted", e.getMessage());
    }

    @Test
    void inputEntirelyOutsideTheBucketRangeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Histogram.of(new double[] {2e20, -5e20}));
        assertTrue(e.getMessage().contains("[-1e20, 1e20]"), e.getMessage());
    }
}
