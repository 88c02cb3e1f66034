package dev.jlightning.optim;

import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * Cosine annealing from each group's base lr to {@code eta_min} with warm restarts every {@code T_i} epochs,
 * {@code T_i} growing by {@code T_mult} after each restart (SGDR): PyTorch's
 * {@code torch.optim.lr_scheduler.CosineAnnealingWarmRestarts}.
 *
 * <p>{@link #step()} advances one epoch; {@link #step(double)} jumps to a possibly fractional epoch, as in
 * PyTorch's per-batch recipe {@code scheduler.step(epoch + i / iters)}. The two can be interleaved.
 */
public class CosineAnnealingWarmRestarts extends LRScheduler {
    private int t0;
    private long tI;
    private int tMult;
    private double etaMin;
    private double tCur;

    /** {@code CosineAnnealingWarmRestarts(optimizer, T_0)} with {@code T_mult=1, eta_min=0}. */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0) {
        this(optimizer, t0, 1, 0.0, -1);
    }

    /** {@code CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)}. */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        this(optimizer, t0, tMult, etaMin, -1);
    }

    /**
     * {@code CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code T_0 < 1}, {@code T_mult < 1} or eta_min is not finite
     */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin, int lastEpoch) {
        super(optimizer, lastEpoch);
        if (t0 < 1) {
            throw Checks.invalid("CosineAnnealingWarmRestarts", "T_0", t0,
                    "Expected positive integer T_0, but got " + t0);
        }
        if (tMult < 1) {
            throw Checks.invalid("CosineAnnealingWarmRestarts", "T_mult", tMult,
                    "Expected integer T_mult >= 1, but got " + tMult);
        }
        this.t0 = t0;
        this.tI = t0;
        this.tMult = tMult;
        this.etaMin = Checks.finite("CosineAnnealingWarmRestarts", "eta_min", etaMin);
        this.tCur = lastEpoch;
        initialStep();
    }

    /** Epochs until the first restart. */
    public int t0() {
        return t0;
    }

    /** The factor by which the period grows after each restart. */
    public int tMult() {
        return tMult;
    }

    /** The minimum learning rate. */
    public double etaMin() {
        return etaMin;
    }

    /** The current period {@code T_i}. */
    public long tI() {
        return tI;
    }

    /** Epochs since the last restart, {@code T_cur} (fractional after {@link #step(double)}). */
    public double tCur() {
        return tCur;
    }

    @Override
    protected double[] getLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) {
            base[i] = etaMin + (base[i] - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
        }
        return base;
    }

    /** Advances one epoch. Like PyTorch's override, this does not count {@code _step_count}. */
    @Override
    public void step() {
        if (lastEpoch() < 0) {
            jumpTo(0);
            return;
        }
        int epoch = lastEpoch() + 1;
        tCur = tCur + 1;
        if (tCur >= tI) {
            tCur = pyMod(tCur, tI);
            tI = tI * tMult;
        }
        setLastEpoch(epoch);
        applyLrs(getLr());
    }

    /**
     * Jumps to {@code epoch}, which may be fractional (PyTorch's {@code step(epoch)}; not deprecated for this
     * scheduler).
     *
     * @throws IllegalArgumentException if {@code epoch} is negative or not finite
     */
    @Override
    @SuppressWarnings("deprecation")
    public void step(double epoch) {
        if (!(epoch >= 0) || Double.isInfinite(epoch)) {
            throw Checks.invalid("CosineAnnealingWarmRestarts", "epoch", epoch,
                    "Expected non-negative epoch, but got " + epoch);
        }
        jumpTo(epoch);
    }

    private void jumpTo(double epoch) {
        if (epoch >= t0) {
            if (tMult == 1) {
                tCur = pyMod(epoch, t0);
            } else {
                // CPython's math.log(x, base) is log(x) / log(base); int() truncates
                int n = (int) (Math.log(epoch / t0 * (tMult - 1) + 1) / Math.log(tMult));
                long power = pow(tMult, n);
                tCur = epoch - (double) (t0 * (power - 1)) / (tMult - 1);
                tI = t0 * power;
            }
        } else {
            tI = t0;
            tCur = epoch;
        }
        setLastEpoch((int) Math.floor(epoch));
        applyLrs(getLr());
    }

    private static long pow(int base, int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result = Math.multiplyExact(result, base);
        }
        return result;
    }

    /** Python's float modulo: the result takes the divisor's sign. */
    private static double pyMod(double a, double b) {
        double r = a % b;
        return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("T_0", t0);
        state.put("T_i", tI);
        state.put("T_mult", tMult);
        state.put("eta_min", etaMin);
        state.put("T_cur", tCur);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("CosineAnnealingWarmRestarts", state);
        String owner = "CosineAnnealingWarmRestarts";
        r.integer("T_0").ifPresent(v -> t0 = Checks.atLeast(owner, "T_0", v, 1));
        r.number("T_i").ifPresent(v -> {
            if (!(v >= 1 && v <= Long.MAX_VALUE / 2 && v == Math.rint(v))) {
                throw Checks.invalid(owner, "T_i", v, "expected an integer >= 1");
            }
            tI = (long) v;
        });
        r.integer("T_mult").ifPresent(v -> tMult = Checks.atLeast(owner, "T_mult", v, 1));
        r.number("eta_min").ifPresent(v -> etaMin = Checks.finite(owner, "eta_min", v));
        r.number("T_cur").ifPresent(v -> {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw Checks.invalid(owner, "T_cur", v, "expected a finite number >= 0");
            }
            tCur = v;
        });
    }
}
