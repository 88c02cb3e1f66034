package dev.jlightning.data;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide seed source for loaders created without their own seed.
 *
 * <p>A PyTorch {@code DataLoader} without a generator draws its shuffle order from torch's global RNG, which
 * {@code seed_everything} seeds. JLightning's loaders draw their generator seed from here instead, so
 * {@code Trainer.seedEverything(seed)} makes every later loader's order reproducible too.
 */
public final class GlobalSeed {

    private static final AtomicLong SOURCE = new AtomicLong(System.nanoTime());

    private GlobalSeed() {
    }

    /** Re-seeds the source; called by {@code Trainer.seedEverything}. */
    public static void seed(long seed) {
        SOURCE.set(seed);
    }

    /** A seed for the next loader; successive calls differ, and the sequence depends only on the last seed. */
    public static long next() {
        return new DataOrderGenerator(SOURCE.getAndIncrement()).nextLong();
    }
}
