package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Multiplies each group's learning rate by a constant {@code factor} until epoch {@code total_iters}, then restores
 * it: PyTorch's {@code torch.optim.lr_scheduler.ConstantLR}.
 */
public class ConstantLR extends LRScheduler {
    private double factor;
    private int totalIters;

    /** {@code ConstantLR(optimizer)} with {@code factor=1/3, total_iters=5}. */
    public ConstantLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 5, -1);
    }

    /** {@code ConstantLR(optimizer, factor, total_iters)}. */
    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        this(optimizer, factor, totalIters, -1);
    }

    /**
     * {@code ConstantLR(optimizer, factor, total_iters, last_epoch)}.
     *
     * @throws IllegalArgumentException if factor is outside [0, 1] or total_iters is negative
     */
    public ConstantLR(Optimizer optimizer, double factor, int totalIters, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.factor = checkFactor(factor);
        this.totalIters = Checks.atLeast("ConstantLR", "total_iters", totalIters, 0);
        initialStep();
    }

    private static double checkFactor(double factor) {
        if (!(factor >= 0 && factor <= 1.0)) {
            throw Checks.invalid("ConstantLR", "factor", factor,
                    "Constant multiplicative factor expected to be between 0 and 1.");
        }
        return factor;
    }

    /** The factor applied until {@link #totalIters()}. */
    public double factor() {
        return factor;
    }

    /** The epoch at which the factor is lifted. */
    public int totalIters() {
        return totalIters;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch() == 0) {
            for (int i = 0; i < lrs.length; i++) {
                lrs[i] = lrs[i] * factor;
            }
            return lrs;
        }
        if (lastEpoch() != totalIters) {
            return lrs;
        }
        if (factor == 0) {
            // Python raises ZeroDivisionError here; Java would silently produce NaN
            throw new ArithmeticException("ConstantLR: factor=0 cannot be lifted at total_iters=" + totalIters
                    + " (division by zero, as in PyTorch)");
        }
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * (1.0 / factor);
        }
        return lrs;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        double[] base = baseLrs();
        double lifted = lastEpoch() >= totalIters ? 1 - factor : 0.0;
        for (int i = 0; i < base.length; i++) {
            base[i] = base[i] * (factor + lifted);
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("factor", factor);
        state.put("total_iters", totalIters);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("ConstantLR", state);
        r.number("factor").ifPresent(v -> factor = checkFactor(v));
        r.integer("total_iters").ifPresent(v -> totalIters = Checks.atLeast("ConstantLR", "total_iters", v, 0));
    }
}
