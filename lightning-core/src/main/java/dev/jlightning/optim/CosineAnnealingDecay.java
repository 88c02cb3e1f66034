package dev.jlightning.optim;

import java.util.Map;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;

/**
 * Cosine annealing from {@code learning_rate} to {@code eta_min} over {@code T_max} epochs: PaddlePaddle's
 * {@code paddle.optimizer.lr.CosineAnnealingDecay}. Like PyTorch's CosineAnnealingLR it is recursive (each value
 * derived from Paddle's {@code last_lr}), so past {@code T_max} it rises again; {@link #step(double)} uses the closed
 * form {@code eta_min + (learning_rate - eta_min) * (1 + cos(pi * epoch / T_max)) / 2}. Every param group gets the
 * value; see {@link PaddleLRScheduler}.
 */
public class CosineAnnealingDecay extends PaddleLRScheduler {
    private final int tMax;
    private final double etaMin;

    /** {@code CosineAnnealingDecay(learning_rate, T_max)} with {@code eta_min=0}. */
    public CosineAnnealingDecay(Optimizer optimizer, double learningRate, int tMax) {
        this(optimizer, learningRate, tMax, 0.0, -1);
    }

    /**
     * {@code CosineAnnealingDecay(learning_rate, T_max, eta_min, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code T_max < 1} or eta_min is not finite
     */
    public CosineAnnealingDecay(Optimizer optimizer, double learningRate, int tMax, double etaMin, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.tMax = Checks.atLeast("CosineAnnealingDecay", "T_max", tMax, 1);
        this.etaMin = Checks.finite("CosineAnnealingDecay", "eta_min", etaMin);
        initialStep();
    }

    @Override
    protected double paddleLr() {
        int t = lastEpoch();
        if (t == 0) {
            return baseLr();
        }
        if (Math.floorMod(t - 1 - tMax, 2 * tMax) == 0) {
            return lastLrValue() + (baseLr() - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax))
                * (lastLrValue() - etaMin) + etaMin;
    }

    @Override
    protected OptionalDouble paddleClosedFormLr() {
        return OptionalDouble.of(etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * lastEpoch() / tMax)) / 2);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("T_max", tMax);
        state.put("eta_min", etaMin);
        return state;
    }
}
