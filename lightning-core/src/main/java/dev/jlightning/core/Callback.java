package dev.jlightning.core;

import dev.jlightning.data.Batch;
import dev.jlightning.trainer.Trainer;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

/**
 * A plug-in that reacts to the Trainer's events: every hook is a no-op by default; override the ones you need.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.Callback}, with the same hook names in camelCase and the same
 * call order (callbacks before the module's own hook, except {@code onTrainEpochEnd} where the checkpointing and
 * early-stopping kind run after it; see {@link #isMonitoring()}). A callback with state returns it from
 * {@link #stateDict()} as plain data under {@link #stateKey()}, and checkpoints carry it.
 *
 * <p>Tensors passed to batch hooks (the batch, the loss) are valid only during the hook: they are freed when the
 * step's native-memory scope closes. Copy numbers out with {@code item_double()}.
 */
public interface Callback {

    /** Called when fit, validate, test or predict begins; {@code stage} is "fit", "validate", "test" or "predict". */
    default void setup(Trainer trainer, LightningModule module, String stage) {
    }

    /** Called when fit, validate, test or predict ends. */
    default void teardown(Trainer trainer, LightningModule module, String stage) {
    }

    default void onFitStart(Trainer trainer, LightningModule module) {
    }

    default void onFitEnd(Trainer trainer, LightningModule module) {
    }

    default void onSanityCheckStart(Trainer trainer, LightningModule module) {
    }

    default void onSanityCheckEnd(Trainer trainer, LightningModule module) {
    }

    default void onTrainStart(Trainer trainer, LightningModule module) {
    }

    default void onTrainEnd(Trainer trainer, LightningModule module) {
    }

    default void onTrainEpochStart(Trainer trainer, LightningModule module) {
    }

    default void onTrainEpochEnd(Trainer trainer, LightningModule module) {
    }

    default void onTrainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    /** @param loss the (unscaled) loss the training step returned; empty in manual optimization */
    default void onTrainBatchEnd(Trainer trainer, LightningModule module, java.util.Optional<Tensor> loss,
            Batch batch, int batchIdx) {
    }

    default void onValidationStart(Trainer trainer, LightningModule module) {
    }

    default void onValidationEnd(Trainer trainer, LightningModule module) {
    }

    default void onValidationEpochStart(Trainer trainer, LightningModule module) {
    }

    default void onValidationEpochEnd(Trainer trainer, LightningModule module) {
    }

    default void onValidationBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    default void onValidationBatchEnd(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    default void onTestStart(Trainer trainer, LightningModule module) {
    }

    default void onTestEnd(Trainer trainer, LightningModule module) {
    }

    default void onTestEpochStart(Trainer trainer, LightningModule module) {
    }

    default void onTestEpochEnd(Trainer trainer, LightningModule module) {
    }

    default void onTestBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    default void onTestBatchEnd(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    default void onPredictStart(Trainer trainer, LightningModule module) {
    }

    default void onPredictEnd(Trainer trainer, LightningModule module) {
    }

    default void onPredictBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
    }

    default void onPredictBatchEnd(Trainer trainer, LightningModule module, Tensor prediction, Batch batch,
            int batchIdx) {
    }

    /** Called after the loss is computed and before {@code backward()}; {@code loss} is the scaled loss. */
    default void onBeforeBackward(Trainer trainer, LightningModule module, Tensor loss) {
    }

    /** Called after {@code backward()}, before the optimizer step; gradients are available here. */
    default void onAfterBackward(Trainer trainer, LightningModule module) {
    }

    /** Called before {@code optimizer.step()} and before gradient clipping. */
    default void onBeforeOptimizerStep(Trainer trainer, LightningModule module, Optimizer optimizer) {
    }

    default void onBeforeZeroGrad(Trainer trainer, LightningModule module, Optimizer optimizer) {
    }

    /** Called when a run ends with an exception, before it propagates. */
    default void onException(Trainer trainer, LightningModule module, Throwable exception) {
    }

    /** Lets the callback add to a checkpoint being written (the map is the checkpoint's JSON part). */
    default void onSaveCheckpoint(Trainer trainer, LightningModule module, Map<String, Object> checkpoint) {
    }

    /** Lets the callback read a checkpoint being restored. */
    default void onLoadCheckpoint(Trainer trainer, LightningModule module, Map<String, Object> checkpoint) {
    }

    /**
     * Whether this callback monitors metrics at epoch end (checkpointing, early stopping). Lightning runs such
     * callbacks' {@code on_train_epoch_end} after the module's, so they see what the module logged there.
     */
    default boolean isMonitoring() {
        return false;
    }

    /** The key this callback's state is stored under; the class name unless two instances need telling apart. */
    default String stateKey() {
        return getClass().getSimpleName();
    }

    /** The callback's state as plain JSON data; empty for stateless callbacks. */
    default Map<String, Object> stateDict() {
        return Map.of();
    }

    /** Restores state produced by {@link #stateDict()}. */
    default void loadStateDict(Map<String, Object> state) {
    }
}
