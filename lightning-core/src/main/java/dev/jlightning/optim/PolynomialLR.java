package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Decays each group's learning rate to zero over {@code total_iters} epochs along
 * {@code (1 - t / total_iters) ** power}: PyTorch's {@code torch.optim.lr_scheduler.PolynomialLR}.
 */
public class PolynomialLR extends LRScheduler {
    private int totalIters;
    private double power;

    /** {@code PolynomialLR(optimizer)} with {@code total_iters=5, power=1.0}. */
    public PolynomialLR(Optimizer optimizer) {
        this(optimizer, 5, 1.0, -1);
    }

    /** {@code PolynomialLR(optimizer, total_iters, power)}. */
    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        this(optimizer, totalIters, power, -1);
    }

    /** {@code PolynomialLR(optimizer, total_iters, power, last_epoch)}. */
    public PolynomialLR(Optimizer optimizer, int totalIters, double power, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.totalIters = Checks.atLeast("PolynomialLR", "total_iters", totalIters, 0);
        this.power = checkPower(power);
        initialStep();
    }

    /** The number of epochs until the learning rate reaches zero. */
    public int totalIters() {
        return totalIters;
    }

    /**
     * A negative power is refused here: PyTorch accepts it and raises ZeroDivisionError ({@code 0.0 ** power}) at
     * the step that reaches {@code total_iters}, where JLightning would otherwise set an infinite lr.
     */
    private static double checkPower(double power) {
        Checks.finite("PolynomialLR", "power", power);
        if (power < 0) {
            throw Checks.invalid("PolynomialLR", "power", power, "expected a number >= 0 (PyTorch raises"
                    + " ZeroDivisionError at the step reaching total_iters for a negative power)");
        }
        return power;
    }

    /** The power of the polynomial. */
    public double power() {
        return power;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (isInitialStep() || lastEpoch() > totalIters) {
            return lrs;
        }
        double decay = Math.pow((1.0 - (double) lastEpoch() / totalIters)
                / (1.0 - (double) (lastEpoch() - 1) / totalIters), power);
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * decay;
        }
        return lrs;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        if (totalIters == 0) {
            throw new ArithmeticException("PolynomialLR: the closed form divides by total_iters=0 (as in PyTorch)");
        }
        double[] base = baseLrs();
        double f = Math.pow(1.0 - (double) Math.min(totalIters, lastEpoch()) / totalIters, power);
        for (int i = 0; i < base.length; i++) {
            base[i] = base[i] * f;
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("total_iters", totalIters);
        state.put("power", power);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("PolynomialLR", state);
        r.integer("total_iters").ifPresent(v -> totalIters = Checks.atLeast("PolynomialLR", "total_iters", v, 0));
        r.number("power").ifPresent(v -> power = checkPower(v));
    }
}
