package dev.jlightning.trainer;

/**
 * Where in the fit loop a checkpoint was taken, so that resuming continues from exactly that point.
 *
 * <p>Lightning records loop progress counters ({@code ready}, {@code started}, {@code processed},
 * {@code completed}) and, on resume, restarts the interrupted batch or epoch end in ways that skip work (the plateau
 * scheduler step of the checkpointed epoch, the step row of the checkpointed batch). JLightning records the point
 * itself; on resume the loop runs only what the uninterrupted run did after it.
 */
enum LoopPhase {
    /** Batch {@code batch_idx} is complete (or, with {@code batch_idx = -1}, the epoch has started). */
    BATCH_DONE,
    /** Batch {@code batch_idx} has run its {@code on_train_batch_end} hooks; logging and validation follow. */
    TRAIN_BATCH_END,
    /** Batch {@code batch_idx} has run validation; the step-interval plateau schedulers follow. */
    VALIDATION_END,
    /** The epoch's {@code on_train_epoch_end} hooks have run; epoch metrics and the plateau step follow. */
    TRAIN_EPOCH_END,
    /** Epoch {@code current_epoch - 1} is complete; the next one has not started. */
    EPOCH_DONE
}
