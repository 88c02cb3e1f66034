package dev.jlightning.examples;

import dev.jlightning.data.TensorDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.bytedeco.pytorch.Tensor;

/**
 * The UCI optical handwritten digits (1,797 images of 8x8 pixels, CC BY 4.0), shipped with the examples as
 * {@code dev/jlightning/examples/digits/digits.csv.gz}: pixels scaled from 0..16 to 0..1, labels 0..9, split into
 * training and validation sets by a seeded shuffle.
 *
 * <p>The same file as scikit-learn's {@code load_digits()}; see {@code LICENSE-digits.txt} next to it for the
 * attribution.
 */
public final class DigitsData {

    public static final int SAMPLES = 1797;
    public static final int FEATURES = 64;
    public static final int CLASSES = 10;
    private static final String RESOURCE = "/dev/jlightning/examples/digits/digits.csv.gz";

    /** Training and validation sets; the caller closes them. */
    public record Split(TensorDataset train, TensorDataset val) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            val.close();
        }
    }

    private final float[][] pixels;
    private final long[] labels;

    private DigitsData(float[][] pixels, long[] labels) {
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Reads the shipped file. */
    public static DigitsData load() {
        float[][] pixels = new float[SAMPLES][FEATURES];
        long[] labels = new long[SAMPLES];
        try (InputStream raw = DigitsData.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("the digits data " + RESOURCE + " is not on the class path");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            int row = 0;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",");
                if (row >= SAMPLES || cells.length != FEATURES + 1) {
                    throw new IllegalStateException("digits.csv.gz line " + (row + 1) + " has " + cells.length
                            + " values, expected " + (FEATURES + 1));
                }
                for (int j = 0; j < FEATURES; j++) {
                    pixels[row][j] = Integer.parseInt(cells[j].trim()) / 16f;
                }
                labels[row] = Long.parseLong(cells[FEATURES].trim());
                row++;
            }
            if (row != SAMPLES) {
                throw new IllegalStateException("digits.csv.gz has " + row + " rows, expected " + SAMPLES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DigitsData(pixels, labels);
    }

    public int size() {
        return labels.length;
    }

    public long label(int i) {
        return labels[i];
    }

    /**
     * Splits off {@code valFraction} of the images for validation, after a Fisher-Yates shuffle seeded with
     * {@code seed} (the same seed always gives the same split).
     */
    public Split split(double valFraction, long seed) {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("valFraction must be in (0, 1), got " + valFraction);
        }
        int[] order = new int[labels.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nVal = (int) Math.round(labels.length * valFraction);
        return new Split(dataset(order, nVal, order.length), dataset(order, 0, nVal));
    }

    private TensorDataset dataset(int[] order, int from, int to) {
        int n = to - from;
        float[] x = new float[n * FEATURES];
        long[] y = new long[n];
        for (int k = 0; k < n; k++) {
            int i = order[from + k];
            System.arraycopy(pixels[i], 0, x, k * FEATURES, FEATURES);
            y[k] = labels[i];
        }
        Tensor xs = Tensor.create(x, n, FEATURES);
        Tensor ys = Tensor.create(y, n);
        return new TensorDataset(xs, ys);
    }
}
