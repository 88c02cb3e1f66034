package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate / (1 + gamma * epoch)}: PaddlePaddle's {@code paddle.optimizer.lr.InverseTimeDecay}. Every
 * param group gets the value; see {@link PaddleLRScheduler}.
 */
public class InverseTimeDecay extends PaddleLRScheduler {
    private final double gamma;

    /** {@code InverseTimeDecay(learning_rate, gamma)}. */
    public InverseTimeDecay(Optimizer optimizer, double learningRate, double gamma) {
        this(optimizer, learningRate, gamma, -1);
    }

    /**
     * {@code InverseTimeDecay(learning_rate, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if gamma is not a finite number >= 0 (Paddle does not check; a negative gamma
     *     divides by zero or turns the learning rate negative)
     */
    public InverseTimeDecay(Optimizer optimizer, double learningRate, double gamma, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        if (!(gamma >= 0.0) || Double.isInfinite(gamma)) {
            throw Checks.invalid("InverseTimeDecay", "gamma", gamma, "expected a finite number >= 0");
        }
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double paddleLr() {
        return baseLr() / (1 + gamma * lastEpoch());
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("gamma", gamma);
        return state;
    }
}
