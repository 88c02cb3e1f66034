package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Multiplies each group's learning rate by {@code gamma} every {@code step_size} epochs: PyTorch's
 * {@code torch.optim.lr_scheduler.StepLR} (the Python one, which decays at epoch {@code step_size}; LibTorch's C++
 * StepLR decays one step later).
 *
 * <p>Chainable: each step multiplies the group's current lr, so changes made by other schedulers carry through.
 * Example: lr 0.1, {@code step_size=3, gamma=0.5} gives 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, ...
 */
public class StepLR extends LRScheduler {
    private int stepSize;
    private double gamma;

    /** {@code StepLR(optimizer, step_size)} with {@code gamma=0.1}. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1, -1);
    }

    /** {@code StepLR(optimizer, step_size, gamma)}. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        this(optimizer, stepSize, gamma, -1);
    }

    /**
     * {@code StepLR(optimizer, step_size, gamma, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or gamma is not finite
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.stepSize = Checks.atLeast("StepLR", "step_size", stepSize, 1);
        this.gamma = Checks.finite("StepLR", "gamma", gamma);
        initialStep();
    }

    /** The period of decay, in epochs. */
    public int stepSize() {
        return stepSize;
    }

    /** The multiplicative factor of decay. */
    public double gamma() {
        return gamma;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch() == 0 || Math.floorMod(lastEpoch(), stepSize) != 0) {
            return lrs;
        }
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * gamma;
        }
        return lrs;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) {
            base[i] = base[i] * Math.pow(gamma, Math.floorDiv(lastEpoch(), stepSize));
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("step_size", stepSize);
        state.put("gamma", gamma);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("StepLR", state);
        r.integer("step_size").ifPresent(v -> stepSize = Checks.atLeast("StepLR", "step_size", v, 1));
        r.number("gamma").ifPresent(v -> gamma = Checks.finite("StepLR", "gamma", v));
    }
}
