package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Scales each group's learning rate by a factor that moves linearly from {@code start_factor} to
 * {@code end_factor} over {@code total_iters} epochs: PyTorch's {@code torch.optim.lr_scheduler.LinearLR}, the
 * usual warmup.
 */
public class LinearLR extends LRScheduler {
    private double startFactor;
    private double endFactor;
    private int totalIters;

    /** {@code LinearLR(optimizer)} with {@code start_factor=1/3, end_factor=1.0, total_iters=5}. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5, -1);
    }

    /** {@code LinearLR(optimizer, start_factor, end_factor, total_iters)}. */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        this(optimizer, startFactor, endFactor, totalIters, -1);
    }

    /**
     * {@code LinearLR(optimizer, start_factor, end_factor, total_iters, last_epoch)}.
     *
     * @throws IllegalArgumentException if start_factor is outside (0, 1], end_factor outside [0, 1] or
     *     total_iters negative
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters, int lastEpoch) {
        super(optimizer, lastEpoch);
        if (!(startFactor > 0 && startFactor <= 1.0)) {
            throw Checks.invalid("LinearLR", "start_factor", startFactor,
                    "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        }
        if (!(endFactor >= 0 && endFactor <= 1.0)) {
            throw Checks.invalid("LinearLR", "end_factor", endFactor,
                    "Ending multiplicative factor expected to be between 0 and 1.");
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = Checks.atLeast("LinearLR", "total_iters", totalIters, 0);
        initialStep();
    }

    /** The factor at epoch 0. */
    public double startFactor() {
        return startFactor;
    }

    /** The factor from epoch {@link #totalIters()} on. */
    public double endFactor() {
        return endFactor;
    }

    /** The number of epochs the factor takes to reach {@link #endFactor()}. */
    public int totalIters() {
        return totalIters;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (lastEpoch() == 0) {
            for (int i = 0; i < lrs.length; i++) {
                lrs[i] = lrs[i] * startFactor;
            }
            return lrs;
        }
        if (isInitialStep() || lastEpoch() > totalIters) {
            return lrs;
        }
        double ratio = 1.0 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch() - 1) * (endFactor - startFactor));
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * ratio;
        }
        return lrs;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        if (totalIters == 0) {
            throw new ArithmeticException("LinearLR: the closed form divides by total_iters=0 (as in PyTorch)");
        }
        double[] base = baseLrs();
        double f = startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch()) / totalIters;
        for (int i = 0; i < base.length; i++) {
            base[i] = base[i] * f;
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("start_factor", startFactor);
        state.put("end_factor", endFactor);
        state.put("total_iters", totalIters);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("LinearLR", state);
        r.number("start_factor").ifPresent(v -> {
            if (!(v > 0 && v <= 1.0)) {
                throw Checks.invalid("LinearLR", "start_factor", v,
                        "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
            }
            startFactor = v;
        });
        r.number("end_factor").ifPresent(v -> {
            if (!(v >= 0 && v <= 1.0)) {
                throw Checks.invalid("LinearLR", "end_factor", v,
                        "Ending multiplicative factor expected to be between 0 and 1.");
            }
            endFactor = v;
        });
        r.integer("total_iters").ifPresent(v -> totalIters = Checks.atLeast("LinearLR", "total_iters", v, 0));
    }
}
