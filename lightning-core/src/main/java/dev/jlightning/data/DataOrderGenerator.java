package dev.jlightning.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The random generator that decides the order in which a shuffling {@link DataLoader} visits samples.
 *
 * <p>Plays the role of the {@code torch.Generator} passed to a PyTorch {@code DataLoader}: the same seed gives the
 * same sequence of epoch orders. It is SplitMix64, whose whole state is one {@code long}, so it is saved in
 * checkpoints as plain data and a resumed run visits samples in exactly the order an uninterrupted one would.
 */
public final class DataOrderGenerator {

    private long state;

    public DataOrderGenerator(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform int in {@code [0, bound)}, without modulo bias (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A uniformly random permutation of {@code 0 .. n-1} (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /** The generator's state as plain data: {@code {"state": <long>}}. */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        return m;
    }

    /** Restores a state produced by {@link #stateDict()}. */
    public void loadStateDict(Map<String, ?> stateDict) {
        Object s = stateDict.get("state");
        if (!(s instanceof Number)) {
            throw new IllegalArgumentException("DataOrderGenerator state dict needs a numeric 'state', got " + s);
        }
        state = ((Number) s).longValue();
    }
}
