package dev.jlightning.tuner;

import dev.jlightning.optim.LRScheduler;
import org.bytedeco.pytorch.Optimizer;

/**
 * Raises the learning rate from the groups' start value to {@code endLr} over {@code numIter} steps, exponentially or
 * linearly: Lightning's {@code _ExponentialLR} and {@code _LinearLR} of the learning-rate finder.
 *
 * <p>Their quirk is kept: at {@code last_epoch} 0 the rate is the start value, and from {@code last_epoch} 1 on the
 * fraction is {@code (last_epoch + 1) / num_iter}, so the second step already uses {@code 2 / num_iter} and the last
 * of {@code num_iter} steps reaches {@code endLr}.
 */
final class SweepScheduler extends LRScheduler {

    private final boolean exponential;
    private final double endLr;
    private final int numIter;

    SweepScheduler(Optimizer optimizer, boolean exponential, double endLr, int numIter) {
        super(optimizer);
        this.exponential = exponential;
        this.endLr = endLr;
        this.numIter = numIter;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] base = baseLrs();
        if (lastEpoch() <= 0) {
            return base.clone();
        }
        double r = (lastEpoch() + 1) / (double) numIter;
        double[] out = new double[base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = exponential ? base[i] * Math.pow(endLr / base[i], r) : base[i] + r * (endLr - base[i]);
        }
        return out;
    }
}
