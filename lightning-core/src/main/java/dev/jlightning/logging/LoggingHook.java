package dev.jlightning.logging;

/**
 * Where a {@code log(...)} call comes from, which decides its default {@code on_step}/{@code on_epoch}.
 *
 * <p>Mirrors Lightning's {@code _FxValidator} table: in {@code training_step} and {@code on_train_batch_*} a value is
 * logged per step only; in validation/test steps and in every epoch-level hook it is logged per epoch only.
 */
public enum LoggingHook {
    TRAINING_STEP(true, false, "training_step"),
    TRAIN_BATCH_HOOK(true, false, "on_train_batch_start/end"),
    TRAIN_EPOCH_HOOK(false, true, "on_train_epoch_start/end"),
    VALIDATION(false, true, "validation_step"),
    TEST(false, true, "test_step");

    private final boolean defaultOnStep;
    private final boolean defaultOnEpoch;
    private final String description;

    LoggingHook(boolean defaultOnStep, boolean defaultOnEpoch, String description) {
        this.defaultOnStep = defaultOnStep;
        this.defaultOnEpoch = defaultOnEpoch;
        this.description = description;
    }

    public boolean defaultOnStep() {
        return defaultOnStep;
    }

    public boolean defaultOnEpoch() {
        return defaultOnEpoch;
    }

    /** The Lightning hook names this stands for, for error messages. */
    public String description() {
        return description;
    }
}
