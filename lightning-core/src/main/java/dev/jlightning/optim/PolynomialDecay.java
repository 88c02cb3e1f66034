package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code (learning_rate - end_lr) * (1 - epoch / decay_steps) ** power + end_lr}: PaddlePaddle's
 * {@code paddle.optimizer.lr.PolynomialDecay}. Without {@code cycle} the epoch stops at {@code decay_steps}, so the
 * rate stays at {@code end_lr}; with {@code cycle} the decay restarts from a higher point, {@code decay_steps} being
 * stretched to the next multiple of itself above the epoch (Paddle's {@code ceil(epoch / decay_steps)}, 1 at epoch
 * 0). Every param group gets the value; see {@link PaddleLRScheduler}.
 */
public class PolynomialDecay extends PaddleLRScheduler {
    private final int decaySteps;
    private final double endLr;
    private final double power;
    private final boolean cycle;

    /** {@code PolynomialDecay(learning_rate, decay_steps)} with {@code end_lr=0.0001, power=1.0, cycle=False}. */
    public PolynomialDecay(Optimizer optimizer, double learningRate, int decaySteps) {
        this(optimizer, learningRate, decaySteps, 0.0001, 1.0, false, -1);
    }

    /**
     * {@code PolynomialDecay(learning_rate, decay_steps, end_lr, power, cycle, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code decay_steps < 1} or {@code power <= 0}, as Paddle requires
     */
    public PolynomialDecay(Optimizer optimizer, double learningRate, int decaySteps, double endLr, double power,
            boolean cycle, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.decaySteps = Checks.atLeast("PolynomialDecay", "decay_steps", decaySteps, 1);
        this.endLr = Checks.finite("PolynomialDecay", "end_lr", endLr);
        this.power = PaddleChecks.positive("PolynomialDecay", "power", power);
        this.cycle = cycle;
        initialStep();
    }

    @Override
    protected double paddleLr() {
        int epoch = lastEpoch();
        int steps = decaySteps;
        if (cycle) {
            int stretch = (int) Math.ceil((double) epoch / (double) decaySteps);
            if (epoch == 0) {
                stretch = 1;
            }
            steps = decaySteps * stretch;
        } else {
            epoch = Math.min(epoch, decaySteps);
        }
        return (baseLr() - endLr) * Math.pow(1 - (double) epoch / (double) steps, power) + endLr;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("decay_steps", decaySteps);
        state.put("end_lr", endLr);
        state.put("power", power);
        state.put("cycle", cycle);
        return state;
    }
}
