package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate * gamma ** epoch}: PaddlePaddle's {@code paddle.optimizer.lr.ExponentialDecay}. Every param
 * group gets the value; see {@link PaddleLRScheduler}.
 */
public class ExponentialDecay extends PaddleLRScheduler {
    private final double gamma;

    /** {@code ExponentialDecay(learning_rate, gamma)}. */
    public ExponentialDecay(Optimizer optimizer, double learningRate, double gamma) {
        this(optimizer, learningRate, gamma, -1);
    }

    /**
     * {@code ExponentialDecay(learning_rate, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if gamma is not in (0, 1), as Paddle requires
     */
    public ExponentialDecay(Optimizer optimizer, double learningRate, double gamma, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.gamma = PaddleChecks.decayFactor("ExponentialDecay", "gamma", gamma);
        initialStep();
    }

    @Override
    protected double paddleLr() {
        return baseLr() * Math.pow(gamma, lastEpoch());
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("gamma", gamma);
        return state;
    }
}
