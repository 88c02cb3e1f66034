package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate * gamma ** i} where {@code i} is the number of milestones already reached: PaddlePaddle's
 * {@code paddle.optimizer.lr.MultiStepDecay}. Milestones must be strictly increasing (unlike PyTorch's MultiStepLR,
 * a milestone cannot repeat). Every param group gets the value; see {@link PaddleLRScheduler}.
 */
public class MultiStepDecay extends PaddleLRScheduler {
    private final int[] milestones;
    private final double gamma;

    /** {@code MultiStepDecay(learning_rate, milestones)} with {@code gamma=0.1}. */
    public MultiStepDecay(Optimizer optimizer, double learningRate, List<Integer> milestones) {
        this(optimizer, learningRate, milestones, 0.1, -1);
    }

    /** {@code MultiStepDecay(learning_rate, milestones, gamma)}. */
    public MultiStepDecay(Optimizer optimizer, double learningRate, List<Integer> milestones, double gamma) {
        this(optimizer, learningRate, milestones, gamma, -1);
    }

    /**
     * {@code MultiStepDecay(learning_rate, milestones, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if the milestones are not strictly increasing or gamma is not in (0, 1)
     */
    public MultiStepDecay(Optimizer optimizer, double learningRate, List<Integer> milestones, double gamma,
            int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.milestones = new int[milestones.size()];
        for (int i = 0; i < this.milestones.length; i++) {
            this.milestones[i] = milestones.get(i);
            if (i > 0 && this.milestones[i] <= this.milestones[i - 1]) {
                throw Checks.invalid("MultiStepDecay", "milestones", milestones,
                        "the elements of milestones must be strictly increasing");
            }
        }
        this.gamma = PaddleChecks.decayFactor("MultiStepDecay", "gamma", gamma);
        initialStep();
    }

    @Override
    protected double paddleLr() {
        for (int i = 0; i < milestones.length; i++) {
            if (lastEpoch() < milestones[i]) {
                return baseLr() * Math.pow(gamma, i);
            }
        }
        return baseLr() * Math.pow(gamma, milestones.length);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        List<Object> list = new ArrayList<>();
        for (int m : milestones) {
            list.add(m);
        }
        state.put("milestones", list);
        state.put("gamma", gamma);
        return state;
    }
}
