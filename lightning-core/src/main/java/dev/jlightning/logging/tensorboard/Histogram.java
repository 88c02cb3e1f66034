package dev.jlightning.logging.tensorboard;

import java.util.Arrays;

/**
 * A histogram in TensorBoard's {@code HistogramProto} shape: statistics plus right-hand bucket limits and counts.
 *
 * <p>Counterpart of {@code torch.utils.tensorboard.summary.make_histogram} with {@code SummaryWriter}'s default
 * {@code bins="tensorflow"}: the bucket edges are TensorFlow's ({@code histogram.cc}) exponential edges
 * {@code ±1e-12 * 1.1^k} below {@code 1e20}, plus 0; values are counted with {@code numpy.histogram}'s rule (each
 * bucket half-open on the right, the last one closed; values outside ±1e20 go uncounted but still enter
 * {@code num}, {@code sum}, {@code min} and {@code max}); and the result is trimmed to the span of non-empty
 * buckets plus one empty bucket on the left, because TensorBoard stores only right-hand limits.
 *
 * <p>{@code sum} uses numpy's pairwise summation, so it equals {@code values.sum()} bit for bit; {@code sum_squares}
 * is numpy's {@code values.dot(values)}, which BLAS accumulates in a machine-dependent order, so it agrees to
 * rounding only.
 */
public final class Histogram {

    private static final double[] DEFAULT_EDGES = defaultEdges();

    private final double min;
    private final double max;
    private final double num;
    private final double sum;
    private final double sumSquares;
    private final double[] bucketLimits;
    private final double[] buckets;

    private Histogram(double min, double max, double num, double sum, double sumSquares,
                      double[] bucketLimits, double[] buckets) {
        this.min = min;
        this.max = max;
        this.num = num;
        this.sum = sum;
        this.sumSquares = sumSquares;
        this.bucketLimits = bucketLimits;
        this.buckets = buckets;
    }

    /**
     * Buckets {@code values} on TensorBoard's default edges.
     *
     * @throws IllegalArgumentException if {@code values} is empty or holds a NaN or infinite value (TensorFlow's
     *     histogram op rejects non-finite input; numpy would silently drop it from the buckets)
     */
    public static Histogram of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("histogram values are empty: at least one value is needed");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double[] squares = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(
                        "histogram value at index " + i + " is " + v + "; only finite values are accepted");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            squares[i] = v * v;
        }
        long[] counts = count(values, DEFAULT_EDGES);
        int first = -1;
        int last = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("histogram has no value inside TensorBoard's bucket range "
                    + "[-1e20, 1e20]: min " + min + ", max " + max);
        }
        // One empty bucket to the left of the first non-empty one carries the left edge, since TensorBoard keeps
        // only right-hand limits. When that bucket would be out of range, torch prepends a zero count and uses the
        // lowest edge as its limit.
        int size = last - first + 2;
        double[] limits = Arrays.copyOfRange(DEFAULT_EDGES, first, last + 2);
        double[] bucketCounts = new double[size];
        for (int i = 0; i < size - 1; i++) {
            bucketCounts[i + 1] = counts[first + i];
        }
        if (first > 0) {
            bucketCounts[0] = counts[first - 1];
        }
        return new Histogram(min, max, values.length, pairwiseSum(values), pairwiseSum(squares),
                limits, bucketCounts);
    }

    /** TensorBoard's default bucket edges, as {@code SummaryWriter.default_bins} builds them (a copy). */
    public static double[] defaultBucketEdges() {
        return DEFAULT_EDGES.clone();
    }

    /** Smallest value. */
    public double min() {
        return min;
    }

    /** Largest value. */
    public double max() {
        return max;
    }

    /** Number of values, counted or not. */
    public double num() {
        return num;
    }

    /** Sum of the values. */
    public double sum() {
        return sum;
    }

    /** Sum of the squared values. */
    public double sumSquares() {
        return sumSquares;
    }

    /** Right-hand limit of each bucket (a copy). */
    public double[] bucketLimits() {
        return bucketLimits.clone();
    }

    /** Count of each bucket, as doubles like the proto's {@code bucket} field (a copy). */
    public double[] buckets() {
        return buckets.clone();
    }

    private static double[] defaultEdges() {
        // Same float sequence as SummaryWriter: repeated multiplication, not pow, so the edges match bit for bit.
        double[] positive = new double[1024];
        int n = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1) {
            positive[n++] = v;
        }
        double[] edges = new double[2 * n + 1];
        for (int i = 0; i < n; i++) {
            edges[n - 1 - i] = -positive[i];
            edges[n + 1 + i] = positive[i];
        }
        edges[n] = 0.0;
        return edges;
    }

    /** numpy.histogram's counting: bucket i holds edges[i] <= v < edges[i+1], the last bucket also its right edge. */
    private static long[] count(double[] values, double[] edges) {
        long[] counts = new long[edges.length - 1];
        double lastEdge = edges[edges.length - 1];
        for (double v : values) {
            if (v < edges[0] || v > lastEdge) {
                continue;
            }
            if (v == lastEdge) {
                counts[counts.length - 1]++;
                continue;
            }
            // binarySearch orders -0.0 before 0.0; numpy compares them equal, so -0.0 belongs in [0, 1e-12).
            int pos = Arrays.binarySearch(edges, v == 0.0 ? 0.0 : v);
            // On an exact edge the value opens that bucket; otherwise it sits right of insertion point - 1.
            int bucket = pos >= 0 ? pos : -pos - 2;
            counts[bucket]++;
        }
        return counts;
    }

    /** numpy's pairwise summation (8-way unrolled blocks of up to 128), started from the add identity 0. */
    static double pairwiseSum(double[] a) {
        return 0.0 + pairwiseSum(a, 0, a.length);
    }

    private static double pairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= 128) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }
}
