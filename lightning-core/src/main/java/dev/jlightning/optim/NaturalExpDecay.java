package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate * exp(-gamma * epoch)}: PaddlePaddle's {@code paddle.optimizer.lr.NaturalExpDecay}. Every
 * param group gets the value; see {@link PaddleLRScheduler}.
 */
public class NaturalExpDecay extends PaddleLRScheduler {
    private final double gamma;

    /** {@code NaturalExpDecay(learning_rate, gamma)}. */
    public NaturalExpDecay(Optimizer optimizer, double learningRate, double gamma) {
        this(optimizer, learningRate, gamma, -1);
    }

    /**
     * {@code NaturalExpDecay(learning_rate, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if gamma is not a finite number > 0, as Paddle requires
     */
    public NaturalExpDecay(Optimizer optimizer, double learningRate, double gamma, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.gamma = PaddleChecks.positive("NaturalExpDecay", "gamma", gamma);
        initialStep();
    }

    @Override
    protected double paddleLr() {
        // Paddle's order: (-1 * gamma) * epoch, then exp
        return baseLr() * Math.exp(-1 * gamma * lastEpoch());
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("gamma", gamma);
        return state;
    }
}
