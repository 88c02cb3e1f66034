package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate * gamma ** (epoch // step_size)}: PaddlePaddle's {@code paddle.optimizer.lr.StepDecay}
 * (PyTorch's StepLR in closed form). Every param group gets the value; see {@link PaddleLRScheduler}.
 */
public class StepDecay extends PaddleLRScheduler {
    private final int stepSize;
    private final double gamma;

    /** {@code StepDecay(learning_rate, step_size)} with {@code gamma=0.1}. */
    public StepDecay(Optimizer optimizer, double learningRate, int stepSize) {
        this(optimizer, learningRate, stepSize, 0.1, -1);
    }

    /** {@code StepDecay(learning_rate, step_size, gamma)}. */
    public StepDecay(Optimizer optimizer, double learningRate, int stepSize, double gamma) {
        this(optimizer, learningRate, stepSize, gamma, -1);
    }

    /**
     * {@code StepDecay(learning_rate, step_size, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code step_size < 1} or gamma is not in (0, 1)
     */
    public StepDecay(Optimizer optimizer, double learningRate, int stepSize, double gamma, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.stepSize = Checks.atLeast("StepDecay", "step_size", stepSize, 1);
        this.gamma = PaddleChecks.decayFactor("StepDecay", "gamma", gamma);
        initialStep();
    }

    @Override
    protected double paddleLr() {
        return baseLr() * Math.pow(gamma, Math.floorDiv(lastEpoch(), stepSize));
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("step_size", stepSize);
        state.put("gamma", gamma);
        return state;
    }
}
