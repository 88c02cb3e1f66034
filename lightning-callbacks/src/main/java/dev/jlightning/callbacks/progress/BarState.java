package dev.jlightning.callbacks.progress;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What one progress bar shows at a moment: its description, the count, the total if known, the time since it
 * started and the metrics after the counts.
 *
 * <p>Counterpart of tqdm's {@code format_dict} (the values {@code format_meter} turns into a line).
 *
 * @param description e.g. {@code Epoch 3} or {@code Validation DataLoader 0}
 * @param n batches done
 * @param total batches in all, when known
 * @param elapsedSeconds seconds since the bar started
 * @param postfix metric names to their formatted values, in display order
 */
public record BarState(String description, long n, OptionalLong total, double elapsedSeconds,
        Map<String, String> postfix) {

    public BarState {
        postfix = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(postfix));
    }

    /** Batches per second so far; 0 before any time has passed. */
    public double rate() {
        return elapsedSeconds > 0 ? n / elapsedSeconds : 0;
    }
}
