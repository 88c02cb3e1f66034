package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/** Multiplies each group's learning rate by {@code gamma} every epoch: PyTorch's {@code ExponentialLR}. */
public class ExponentialLR extends LRScheduler {
    private double gamma;

    /** {@code ExponentialLR(optimizer, gamma)}. */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        this(optimizer, gamma, -1);
    }

    /** {@code ExponentialLR(optimizer, gamma, last_epoch)}. */
    public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.gamma = Checks.finite("ExponentialLR", "gamma", gamma);
        initialStep();
    }

    /** The multiplicative factor per epoch. */
    public double gamma() {
        return gamma;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        // the initial step (also when resuming) keeps the current lr rather than moving one step ahead
        if (isInitialStep()) {
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
            base[i] = base[i] * Math.pow(gamma, lastEpoch());
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("gamma", gamma);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.reader("ExponentialLR", state).number("gamma").ifPresent(v -> gamma = Checks.finite("ExponentialLR", "gamma", v));
    }
}
