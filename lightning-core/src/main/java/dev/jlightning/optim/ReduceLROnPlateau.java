package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;

/**
 * Reduces the learning rate when a monitored metric stops improving: PyTorch's
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}, which in current PyTorch subclasses {@code LRScheduler} and
 * has {@code get_last_lr()}.
 *
 * <p>{@link #step(double)} takes the metric (PyTorch's {@code step(metrics)}); {@link #step()} without one is an
 * error. After {@code patience} steps without an improvement beyond {@code threshold} (relative or absolute), every
 * group's lr is multiplied by {@code factor}, bounded below by {@code min_lr}, unless the change would be smaller
 * than {@code eps}; then {@code cooldown} steps pass before bad epochs count again. The counters ({@code best},
 * {@code num_bad_epochs}, {@code cooldown_counter}) are in the state dict.
 *
 * <p>Unlike PyTorch, {@link #baseLrs()} is defined: the groups' learning rates when the scheduler was created.
 */
public class ReduceLROnPlateau extends LRScheduler {
    private String mode;
    private double factor;
    private int patience;
    private double threshold;
    private String thresholdMode;
    private int cooldown;
    private double[] minLrs;
    private OptionalDouble defaultMinLr;
    private double eps;

    private double modeWorse;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;

    /** {@code ReduceLROnPlateau(optimizer)} with PyTorch's defaults (mode "min", factor 0.1, patience 10, ...). */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(builder(optimizer));
    }

    /** {@code ReduceLROnPlateau(optimizer, mode)} with PyTorch's other defaults. */
    public ReduceLROnPlateau(Optimizer optimizer, String mode) {
        this(builder(optimizer).mode(mode));
    }

    private ReduceLROnPlateau(Builder b) {
        super(b.optimizer);
        String owner = "ReduceLROnPlateau";
        if (!(b.factor < 1.0)) {
            throw Checks.invalid(owner, "factor", b.factor, "Factor should be < 1.0.");
        }
        Checks.finite(owner, "factor", b.factor);
        int groups = paramGroups().size();
        if (b.minLrs != null) {
            if (b.minLrs.size() != groups) {
                throw new IllegalArgumentException(owner + ": min_lr=" + b.minLrs + " is invalid: expected " + groups
                        + " min_lrs, got " + b.minLrs.size() + " (one per param group, or a single number)");
            }
            this.minLrs = PerGroup.of(b.minLrs).resolve(owner, "min_lr", groups);
            this.defaultMinLr = OptionalDouble.empty();
        } else {
            this.minLrs = PerGroup.of(b.minLr).resolve(owner, "min_lr", groups);
            this.defaultMinLr = OptionalDouble.of(b.minLr);
        }
        this.factor = b.factor;
        this.patience = Checks.atLeast(owner, "patience", b.patience, 0);
        this.cooldown = Checks.atLeast(owner, "cooldown", b.cooldown, 0);
        this.eps = Checks.finite(owner, "eps", b.eps);
        initIsBetter(b.mode, Checks.finite(owner, "threshold", b.threshold), b.thresholdMode);
        reset();
        setLastEpoch(0);
        double[] lrs = paramGroups().lrs();
        setBaseLrs(lrs);
        markInitialized(lrs);
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    private void initIsBetter(String mode, double threshold, String thresholdMode) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(thresholdMode, "threshold_mode");
        if (!mode.equals("min") && !mode.equals("max")) {
            throw Checks.invalid("ReduceLROnPlateau", "mode", mode, "mode " + mode + " is unknown! Expected 'min' or 'max'");
        }
        if (!thresholdMode.equals("rel") && !thresholdMode.equals("abs")) {
            throw Checks.invalid("ReduceLROnPlateau", "threshold_mode", thresholdMode,
                    "threshold mode " + thresholdMode + " is unknown! Expected 'rel' or 'abs'");
        }
        this.modeWorse = mode.equals("min") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        this.mode = mode;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
    }

    private void reset() {
        best = modeWorse;
        cooldownCounter = 0;
        numBadEpochs = 0;
    }

    /**
     * Always fails: a plateau scheduler needs the monitored value.
     *
     * @throws UnsupportedOperationException always; call {@link #step(double)}
     */
    @Override
    public void step() {
        throw new UnsupportedOperationException("ReduceLROnPlateau.step() needs the monitored metric: call"
                + " step(metric), as PyTorch's step(metrics)");
    }

    /** One epoch's end with the monitored {@code metric} (PyTorch's {@code step(metrics)}). */
    @Override
    @SuppressWarnings("deprecation")
    public void step(double metric) {
        stepAt(metric, lastEpoch() + 1);
    }

    /**
     * PyTorch's deprecated {@code step(metrics, epoch)}: records {@code epoch} as the last epoch.
     *
     * @deprecated as in PyTorch: call {@link #step(double)}
     */
    @Deprecated
    public void step(double metric, int epoch) {
        warnEpochDeprecated();
        stepAt(metric, epoch);
    }

    private void stepAt(double current, int epoch) {
        setLastEpoch(epoch);
        if (isBetter(current, best)) {
            best = current;
            numBadEpochs = 0;
        } else {
            numBadEpochs += 1;
        }
        if (cooldownCounter > 0) {
            cooldownCounter -= 1;
            numBadEpochs = 0; // bad epochs in cooldown do not count
        }
        if (numBadEpochs > patience) {
            reduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        refreshLastLr();
    }

    private void reduceLr() {
        ParamGroups groups = paramGroups();
        int n = groups.size();
        if (n != minLrs.length) {
            if (defaultMinLr.isEmpty()) {
                throw new IllegalStateException("ReduceLROnPlateau: the number of param groups in the optimizer ("
                        + n + ") differs from when ReduceLROnPlateau was initialized (" + minLrs.length
                        + "), usually because a param group was added; give min_lr one value per group");
            }
            minLrs = new double[n];
            Arrays.fill(minLrs, defaultMinLr.getAsDouble());
        }
        double[] lrs = groups.lrs();
        for (int i = 0; i < n; i++) {
            double oldLr = lrs[i];
            double reduced = oldLr * factor;
            // Python's max(a, b) keeps a unless b is strictly greater
            double newLr = minLrs[i] > reduced ? minLrs[i] : reduced;
            if (oldLr - newLr > eps) {
                groups.setLr(i, newLr);
            }
        }
    }

    private boolean isBetter(double a, double best) {
        if (mode.equals("min") && thresholdMode.equals("rel")) {
            double relEpsilon = 1.0 - threshold;
            return a < best * relEpsilon;
        }
        if (mode.equals("min")) {
            return a < best - threshold;
        }
        if (thresholdMode.equals("rel")) {
            double relEpsilon = threshold + 1.0;
            return a > best * relEpsilon;
        }
        return a > best + threshold;
    }

    /** Whether the scheduler is in its cooldown period. */
    public boolean inCooldown() {
        return cooldownCounter > 0;
    }

    /** "min" or "max". */
    public String mode() {
        return mode;
    }

    /** The factor applied on a plateau. */
    public double factor() {
        return factor;
    }

    /** The number of bad epochs tolerated. */
    public int patience() {
        return patience;
    }

    /** The number of epochs to wait after a reduction. */
    public int cooldown() {
        return cooldown;
    }

    /** The best metric so far ({@code inf} or {@code -inf} before the first step). */
    public double best() {
        return best;
    }

    /** The bad epochs counted since the last improvement or reduction. */
    public int numBadEpochs() {
        return numBadEpochs;
    }

    /** The cooldown steps left. */
    public int cooldownCounter() {
        return cooldownCounter;
    }

    /** The lower bounds, one per group. */
    public double[] minLrs() {
        return minLrs.clone();
    }

    @Override
    protected double[] getLr() {
        throw new UnsupportedOperationException("ReduceLROnPlateau computes no scheduled lr; it reacts to metrics");
    }

    /** PyTorch's keys: {@code factor, default_min_lr, min_lrs, patience, cooldown, eps, last_epoch, _last_lr, ...}. */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("factor", factor);
        state.put("default_min_lr", defaultMinLr.isPresent() ? defaultMinLr.getAsDouble() : null);
        state.put("min_lrs", StateDicts.numbers(minLrs));
        state.put("patience", patience);
        state.put("cooldown", cooldown);
        state.put("eps", eps);
        state.put("last_epoch", lastEpoch());
        state.put("_last_lr", StateDicts.numbers(getLastLr()));
        state.put("mode_worse", StateDicts.number(modeWorse));
        state.put("mode", mode);
        state.put("threshold", threshold);
        state.put("threshold_mode", thresholdMode);
        state.put("best", StateDicts.number(best));
        state.put("cooldown_counter", cooldownCounter);
        state.put("num_bad_epochs", numBadEpochs);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        String owner = "ReduceLROnPlateau";
        StateDicts.Reader r = StateDicts.reader(owner, state);
        // the constructor's rules, checked before anything is taken
        r.number("factor").ifPresent(v -> {
            if (!(v < 1.0) || !Double.isFinite(v)) {
                throw Checks.invalid(owner, "factor", v, "Factor should be < 1.0.");
            }
        });
        r.numbers("min_lrs").ifPresent(v -> {
            if (v.length != paramGroups().size()) {
                throw Checks.invalid(owner, "min_lrs", java.util.Arrays.toString(v), "expected one per param group ("
                        + paramGroups().size() + ")");
            }
        });
        r.integer("patience").ifPresent(v -> Checks.atLeast(owner, "patience", v, 0));
        r.integer("cooldown").ifPresent(v -> Checks.atLeast(owner, "cooldown", v, 0));
        r.number("eps").ifPresent(v -> Checks.finite(owner, "eps", v));
        r.number("threshold").ifPresent(v -> Checks.finite(owner, "threshold", v));
        r.integer("cooldown_counter").ifPresent(v -> Checks.atLeast(owner, "cooldown_counter", v, 0));
        r.integer("num_bad_epochs").ifPresent(v -> Checks.atLeast(owner, "num_bad_epochs", v, 0));
        r.integer("last_epoch").ifPresent(v -> Checks.atLeast(owner, "last_epoch", v, 0));
        r.number("factor").ifPresent(v -> factor = v);
        if (r.isNull("default_min_lr")) {
            defaultMinLr = OptionalDouble.empty();
        } else {
            r.number("default_min_lr").ifPresent(v -> defaultMinLr = OptionalDouble.of(v));
        }
        r.numbers("min_lrs").ifPresent(v -> minLrs = v);
        r.integer("patience").ifPresent(v -> patience = v);
        r.integer("cooldown").ifPresent(v -> cooldown = v);
        r.number("eps").ifPresent(v -> eps = v);
        r.integer("last_epoch").ifPresent(this::setLastEpoch);
        r.numbers("_last_lr").ifPresent(this::setLastLr);
        r.number("best").ifPresent(v -> best = v);
        r.integer("cooldown_counter").ifPresent(v -> cooldownCounter = v);
        r.integer("num_bad_epochs").ifPresent(v -> numBadEpochs = v);
        String newMode = r.string("mode").orElse(mode);
        String newThresholdMode = r.string("threshold_mode").orElse(thresholdMode);
        double newThreshold = r.number("threshold").orElse(threshold);
        initIsBetter(newMode, newThreshold, newThresholdMode);
    }

    /**
     * Options of {@link ReduceLROnPlateau} with PyTorch's keyword names and defaults: {@code mode="min",
     * factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8}.
     */
    public static final class Builder {
        private final Optimizer optimizer;
        private String mode = "min";
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private String thresholdMode = "rel";
        private int cooldown;
        private double minLr;
        private List<Double> minLrs;
        private double eps = 1e-8;

        private Builder(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** "min" (reduce when the metric stops decreasing) or "max". */
        public Builder mode(String mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** new_lr = lr * factor; must be below 1. */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /** Bad epochs tolerated before reducing. */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        /** The margin an improvement must exceed. */
        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /** "rel" (best * (1 -/+ threshold)) or "abs" (best -/+ threshold). */
        public Builder thresholdMode(String thresholdMode) {
            this.thresholdMode = Objects.requireNonNull(thresholdMode, "threshold_mode");
            return this;
        }

        /** Epochs to wait after a reduction. */
        public Builder cooldown(int cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** One lower bound for every group. */
        public Builder minLr(double minLr) {
            this.minLr = minLr;
            this.minLrs = null;
            return this;
        }

        /** One lower bound per group. */
        public Builder minLrs(List<Double> minLrs) {
            this.minLrs = new ArrayList<>(Objects.requireNonNull(minLrs, "min_lr"));
            return this;
        }

        /** Reductions smaller than this are skipped. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * The scheduler.
         *
         * @throws IllegalArgumentException on PyTorch's invalid values (factor >= 1, unknown mode or
         *     threshold_mode, a min_lr list of the wrong length) and on negative patience or cooldown
         */
        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
