package dev.jlightning.optim;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Anneals each group's learning rate from its base value to {@code eta_min} along a half cosine over {@code T_max}
 * epochs: PyTorch's {@code torch.optim.lr_scheduler.CosineAnnealingLR}.
 *
 * <p>Like PyTorch it uses the recursive form, each step derived from the group's current lr, so past
 * {@code T_max} the learning rate rises again along the cosine (period {@code 2 * T_max}); the closed form
 * {@code eta_min + (base - eta_min) * (1 + cos(pi * t / T_max)) / 2} is used only where PyTorch uses it (the
 * deprecated {@code step(epoch)}).
 */
public class CosineAnnealingLR extends LRScheduler {
    private int tMax;
    private double etaMin;

    /** {@code CosineAnnealingLR(optimizer, T_max)} with {@code eta_min=0}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0.0, -1);
    }

    /** {@code CosineAnnealingLR(optimizer, T_max, eta_min)}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        this(optimizer, tMax, etaMin, -1);
    }

    /**
     * {@code CosineAnnealingLR(optimizer, T_max, eta_min, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code T_max < 1} (PyTorch divides by it on the first step)
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.tMax = Checks.atLeast("CosineAnnealingLR", "T_max", tMax, 1);
        this.etaMin = Checks.finite("CosineAnnealingLR", "eta_min", etaMin);
        initialStep();
    }

    /** The half period, in epochs. */
    public int tMax() {
        return tMax;
    }

    /** The minimum learning rate. */
    public double etaMin() {
        return etaMin;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        int t = lastEpoch();
        if (isInitialStep()) {
            return lrs;
        }
        double[] base = baseLrs();
        int n = Math.min(lrs.length, base.length);
        double[] out = new double[n];
        if (stepCount() == 1 && t > 0) {
            for (int i = 0; i < n; i++) {
                out[i] = etaMin + (base[i] - etaMin) * (1 + Math.cos(t * Math.PI / tMax)) / 2;
            }
        } else if (Math.floorMod(t - 1 - tMax, 2 * tMax) == 0) {
            for (int i = 0; i < n; i++) {
                out[i] = lrs[i] + (base[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            }
        } else {
            for (int i = 0; i < lrs.length; i++) {
                lrs[i] = (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax))
                        * (lrs[i] - etaMin) + etaMin;
            }
            return lrs;
        }
        return out;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) {
            base[i] = etaMin + (base[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch() / tMax)) / 2;
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("T_max", tMax);
        state.put("eta_min", etaMin);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("CosineAnnealingLR", state);
        r.integer("T_max").ifPresent(v -> tMax = Checks.atLeast("CosineAnnealingLR", "T_max", v, 1));
        r.number("eta_min").ifPresent(v -> etaMin = Checks.finite("CosineAnnealingLR", "eta_min", v));
    }
}
