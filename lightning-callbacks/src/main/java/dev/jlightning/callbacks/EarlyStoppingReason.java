package dev.jlightning.callbacks;

import java.util.Locale;

/**
 * Why an {@link EarlyStopping} callback stopped training, or that it did not.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.callbacks.early_stopping.EarlyStoppingReason}; its
 * {@link #value()} is the Python enum's value, which is also how the reason is stored in the callback's state dict.
 */
public enum EarlyStoppingReason {
    /** Training was not stopped by this callback (yet). */
    NOT_STOPPED,
    /** The monitored value reached {@code stoppingThreshold}. */
    STOPPING_THRESHOLD,
    /** The monitored value became worse than {@code divergenceThreshold}. */
    DIVERGENCE_THRESHOLD,
    /** {@code patience} checks in a row brought no improvement. */
    PATIENCE_EXHAUSTED,
    /** The monitored value became NaN or infinite while {@code checkFinite} was on. */
    NON_FINITE_METRIC;

    /** Lightning's value, e.g. {@code "patience_exhausted"}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The reason whose {@link #value()} (or enum name) is {@code value}.
     *
     * @throws IllegalArgumentException naming the accepted values when there is none
     */
    public static EarlyStoppingReason fromValue(String value) {
        for (EarlyStoppingReason r : values()) {
            if (r.value().equals(value) || r.name().equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("EarlyStopping: stopping_reason '" + value + "' is not one of"
                + " not_stopped, stopping_threshold, divergence_threshold, patience_exhausted, non_finite_metric");
    }
}
