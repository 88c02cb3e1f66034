package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;

/**
 * A limit on batches per epoch: a count or a fraction of the loader.
 *
 * <p>Lightning's {@code limit_train_batches} / {@code limit_val_batches} / {@code limit_test_batches}, which are an
 * int (a count) or a float in [0, 1] (a fraction, rounded down).
 */
public final class BatchLimit {

    /** No limit: the whole loader ({@code 1.0}). */
    public static final BatchLimit ALL = new BatchLimit(-1, 1.0);

    private final int count;
    private final double fraction;

    private BatchLimit(int count, double fraction) {
        this.count = count;
        this.fraction = fraction;
    }

    static BatchLimit count(String key, int count) {
        if (count < 0) {
            throw new MisconfigurationException("`" + key + "` must be an int >= 0 or a float in [0.0, 1.0], got "
                    + count);
        }
        return new BatchLimit(count, Double.NaN);
    }

    static BatchLimit fraction(String key, double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new MisconfigurationException("`" + key + "` must be an int >= 0 or a float in [0.0, 1.0], got "
                    + fraction);
        }
        return new BatchLimit(-1, fraction);
    }

    /**
     * The number of batches to run from a loader of {@code available} batches.
     *
     * @throws MisconfigurationException when a non-zero fraction rounds to zero batches, as Lightning does
     */
    int apply(String key, int available) {
        if (count >= 0) {
            return Math.min(count, available);
        }
        int n = (int) (available * fraction);
        if (n == 0 && fraction > 0 && available > 0) {
            throw new MisconfigurationException("You requested to check " + fraction + " of the dataloader but "
                    + fraction + " * " + available + " < 1. Please increase the `" + key + "` argument.");
        }
        return n;
    }

    @Override
    public String toString() {
        return count >= 0 ? Integer.toString(count) : Double.toString(fraction);
    }
}
