package dev.jlightning.trainer;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one place that calls hooks, so their order is defined once: callbacks first (in the order given to the
 * Trainer), then the module, except at {@code on_train_epoch_end}, where monitoring callbacks run after the module.
 * Mirrors Lightning's {@code trainer/call.py}.
 */
final class HookDispatcher {

    private final List<Callback> callbacks;

    HookDispatcher(List<Callback> callbacks) {
        this.callbacks = callbacks;
    }

    /** Runs {@code hook} on every callback, then {@code moduleHook}. */
    void call(Consumer<Callback> hook, Runnable moduleHook) {
        for (Callback c : callbacks) {
            hook.accept(c);
        }
        moduleHook.run();
    }

    /** Runs {@code hook} on every callback only. */
    void callbacks(Consumer<Callback> hook) {
        for (Callback c : callbacks) {
            hook.accept(c);
        }
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
