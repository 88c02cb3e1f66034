package dev.jlightning.trainer;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many times each callback metric has been written, so that a plateau scheduler can tell a fresh value from one
 * it was already fed. The counters are mutable cells: a metric written on every step costs no allocation.
 */
final class MetricVersions {

    private final Map<String, long[]> counts = new HashMap<>();

    void bump(String name) {
        long[] count = counts.get(name);
        if (count == null) {
            counts.put(name, new long[] {1});
        } else {
            count[0]++;
        }
    }

    /** The number of writes of {@code name}; 0 if it was never written. */
    long get(String name) {
        long[] count = counts.get(name);
        return count == null ? 0 : count[0];
    }

    /** The counts as checkpoints store them. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((name, count) -> out.put(name, count[0]));
        return out;
    }

    /** Replaces every count with a checkpoint's. */
    void restore(Map<String, Long> saved) {
        counts.clear();
        saved.forEach((name, count) -> counts.put(name, new long[] {count}));
    }

    void clear() {
        counts.clear();
    }
}
