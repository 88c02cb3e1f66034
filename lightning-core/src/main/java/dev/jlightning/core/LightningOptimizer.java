package dev.jlightning.core;

import org.bytedeco.pytorch.Optimizer;

/**
 * An optimizer as a module sees it during manual optimization: stepping it is counted by the Trainer.
 *
 * <p>Counterpart of Lightning's {@code LightningOptimizer}, the wrapper {@code self.optimizers()} returns. In manual
 * optimization {@code trainer.globalStep()} counts the {@link #step()} calls of all optimizers, as in Lightning, so
 * call {@code step()} here rather than on the raw optimizer.
 */
public final class LightningOptimizer {

    /** Receives each optimizer step; implemented by the Trainer. */
    public interface StepListener {
        void onOptimizerStep(LightningOptimizer optimizer);
    }

    private final Optimizer optimizer;
    private final StepListener listener;

    public LightningOptimizer(Optimizer optimizer, StepListener listener) {
        this.optimizer = optimizer;
        this.listener = listener;
    }

    /** The wrapped LibTorch optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@code optimizer.step()}, counted as one global step. */
    public void step() {
        optimizer.step();
        listener.onOptimizerStep(this);
    }

    /** {@code optimizer.zero_grad()}: gradients reset to none, as PyTorch's default {@code set_to_none=True}. */
    public void zeroGrad() {
        optimizer.zero_grad(true);
    }
}
