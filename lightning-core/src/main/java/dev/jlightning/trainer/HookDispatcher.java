package dev.jlightning.trainer;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

/**
 * The one place that calls hooks, so their order is defined once: callbacks first (in the order given to the
 * Trainer), then the module, except at {@code on_train_epoch_end}, where monitoring callbacks run after the module.
 * Mirrors Lightning's {@code trainer/call.py}.
 *
 * <p>The hooks called on every training batch have methods of their own that take the hook's arguments directly:
 * a lambda capturing a batch or a tensor would be a new object on every step.
 */
final class HookDispatcher {

    private final Callback[] callbacks;

    HookDispatcher(List<Callback> callbacks) {
        this.callbacks = callbacks.toArray(new Callback[0]);
    }

    /** Runs {@code hook} on every callback, then {@code moduleHook}. */
    void call(Consumer<Callback> hook, Runnable moduleHook) {
        callbacks(hook);
        moduleHook.run();
    }

    /** Runs {@code hook} on every callback only. */
    void callbacks(Consumer<Callback> hook) {
        for (int i = 0; i < callbacks.length; i++) {
            hook.accept(callbacks[i]);
        }
    }

    // ---------------------------------------------------------------- per training batch, in the order they run

    /** {@code on_train_batch_start} of the callbacks; the module's, which can end the epoch, is the loop's. */
    void trainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onTrainBatchStart(trainer, module, batch, batchIdx);
        }
    }

    void beforeZeroGrad(Trainer trainer, LightningModule module, Optimizer optimizer) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onBeforeZeroGrad(trainer, module, optimizer);
        }
        module.onBeforeZeroGrad(optimizer);
    }

    void beforeBackward(Trainer trainer, LightningModule module, Tensor loss) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onBeforeBackward(trainer, module, loss);
        }
        module.onBeforeBackward(loss);
    }

    void afterBackward(Trainer trainer, LightningModule module) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onAfterBackward(trainer, module);
        }
        module.onAfterBackward();
    }

    void beforeOptimizerStep(Trainer trainer, LightningModule module, Optimizer optimizer) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onBeforeOptimizerStep(trainer, module, optimizer);
        }
        module.onBeforeOptimizerStep(optimizer);
    }

    void trainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch, int batchIdx) {
        for (int i = 0; i < callbacks.length; i++) {
            callbacks[i].onTrainBatchEnd(trainer, module, loss, batch, batchIdx);
        }
        module.onTrainBatchEnd(loss, batch, batchIdx);
    }

    /**
     * Lightning's special order at the end of a training epoch. {@code publish} refreshes the callback metrics
     * before the monitoring callbacks run, so they see what the module logged in its own hook (Lightning's
     * callback metrics are computed on access).
     */
    void trainEpochEnd(Trainer trainer, LightningModule module, Runnable publish) {
        for (Callback c : callbacks) {
            if (!c.isMonitoring()) {
                c.onTrainEpochEnd(trainer, module);
            }
        }
        module.onTrainEpochEnd();
        publish.run();
        for (Callback c : callbacks) {
            if (c.isMonitoring()) {
                c.onTrainEpochEnd(trainer, module);
            }
        }
    }

    /** Tells every callback about a failure; their own errors are added as suppressed. */
    void exception(Trainer trainer, LightningModule module, Throwable error) {
        for (Callback c : callbacks) {
            try {
                c.onException(trainer, module, error);
            } catch (RuntimeException e) {
                error.addSuppressed(e);
            }
        }
    }
}
