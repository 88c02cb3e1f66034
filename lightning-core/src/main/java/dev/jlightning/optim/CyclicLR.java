package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/**
 * Cycles each group's learning rate between {@code base_lr} and {@code max_lr} (cyclical learning rates, CLR):
 * PyTorch's {@code torch.optim.lr_scheduler.CyclicLR}, stepped after every batch.
 *
 * <p>Policies "triangular", "triangular2" (amplitude halved each cycle) and "exp_range" ({@code gamma ** iteration}),
 * or a custom {@code scale_fn} evaluated per cycle or per iteration ({@code scale_mode}). With
 * {@code cycle_momentum} (the default) momentum moves inversely between {@code max_momentum} and
 * {@code base_momentum}: SGD and RMSprop {@code momentum}, Adam and AdamW {@code betas[0]}.
 *
 * <p>Built with {@link #builder(Optimizer)}: {@code CyclicLR.builder(opt).baseLr(0.01).maxLr(0.1).stepSizeUp(10).build()}.
 */
public class CyclicLR extends LRScheduler {
    private static final String OWNER = "CyclicLR";

    private double[] maxLrs;
    private double totalSize;
    private double stepRatio;
    private String mode;
    private double gamma;
    private final DoubleUnaryOperator scaleFnCustom;
    private String scaleMode;
    private boolean cycleMomentum;
    private boolean useBeta1;
    private double[] baseMomentums;
    private double[] maxMomentums;
    private final int stepSizeUp;
    private final int stepSizeDown;

    private CyclicLR(Builder b) {
        super(b.optimizer, b.lastEpoch);
        ParamGroups groups = paramGroups();
        int n = groups.size();
        if (b.baseLr == null) {
            throw new IllegalArgumentException(OWNER + ": base_lr is required (a number, or one per param group)");
        }
        if (b.maxLr == null) {
            throw new IllegalArgumentException(OWNER + ": max_lr is required (a number, or one per param group)");
        }
        double[] baseLrs = b.baseLr.resolve(OWNER, "base_lr", n);
        double[] maxLrs = b.maxLr.resolve(OWNER, "max_lr", n);
        Checks.atLeast(OWNER, "step_size_up", b.stepSizeUp, 1);
        int down = b.stepSizeDown == null ? b.stepSizeUp : b.stepSizeDown;
        Checks.atLeast(OWNER, "step_size_down", down, 0);
        if (!List.of("triangular", "triangular2", "exp_range").contains(b.mode) && b.scaleFn == null) {
            throw Checks.invalid(OWNER, "mode", b.mode,
                    "mode is invalid and scale_fn is None; expected one of 'triangular', 'triangular2', 'exp_range'");
        }
        if (!b.scaleMode.equals("cycle") && !b.scaleMode.equals("iterations")) {
            throw Checks.invalid(OWNER, "scale_mode", b.scaleMode, "expected 'cycle' or 'iterations'");
        }
        Checks.finite(OWNER, "gamma", b.gamma);
        double[] baseMomentums = null;
        double[] maxMomentums = null;
        if (b.cycleMomentum) {
            if (!groups.hasMomentum() && !groups.hasBetas()) {
                throw Checks.invalid(OWNER, "cycle_momentum", true, "optimizer must support momentum or beta1 with"
                        + " `cycle_momentum` option enabled; " + groups.optimizerName()
                        + " has neither, so set cycle_momentum to false");
            }
            baseMomentums = b.baseMomentum.resolve(OWNER, "base_momentum", n);
            maxMomentums = b.maxMomentum.resolve(OWNER, "max_momentum", n);
        }

        // everything is valid: now touch the optimizer, in PyTorch's order
        if (b.lastEpoch == -1) {
            for (int i = 0; i < n; i++) {
                groups.setLr(i, baseLrs[i]);
            }
        }
        this.maxLrs = maxLrs;
        this.stepSizeUp = b.stepSizeUp;
        this.stepSizeDown = down;
        double up = b.stepSizeUp;
        this.totalSize = up + down;
        this.stepRatio = up / this.totalSize;
        this.mode = b.mode;
        this.gamma = b.gamma;
        this.scaleFnCustom = b.scaleFn;
        this.scaleMode = b.scaleMode;
        initScaleFn();
        this.cycleMomentum = b.cycleMomentum;
        if (b.cycleMomentum) {
            this.useBeta1 = groups.hasBetas();
            this.baseMomentums = baseMomentums;
            this.maxMomentums = maxMomentums;
            if (b.lastEpoch == -1) {
                for (int i = 0; i < n; i++) {
                    groups.setMomentum(i, maxMomentums[i]);
                    groups.setExtra(i, "max_momentum", maxMomentums[i]);
                    groups.setExtra(i, "base_momentum", baseMomentums[i]);
                }
            }
        }
        initialStep();
        setBaseLrs(baseLrs);
    }

    /** A builder; {@code base_lr} and {@code max_lr} are required. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    private void initScaleFn() {
        if (scaleFnCustom != null) {
            return;
        }
        // the built-in policies fix the scale mode, whatever was asked for
        scaleMode = mode.equals("exp_range") ? "iterations" : "cycle";
    }

    /** {@code x} is always integral: PyTorch passes the int cycle number or the int iteration. */
    private double scaleFn(double x) {
        if (scaleFnCustom != null) {
            // a function that also takes ints (a Formula) sees a Python int, as the Python scale_fn would
            if (scaleFnCustom instanceof IntToDoubleFunction && Math.abs(x) <= Integer.MAX_VALUE) {
                return ((IntToDoubleFunction) scaleFnCustom).applyAsDouble((int) x);
            }
            return scaleFnCustom.applyAsDouble(x);
        }
        switch (mode) {
            case "triangular":
                return 1.0;
            case "triangular2":
                return 1 / Math.pow(2.0, x - 1);
            default:
                return Math.pow(gamma, x);
        }
    }

    /** Iterations in the increasing half of a cycle. */
    public int stepSizeUp() {
        return stepSizeUp;
    }

    /** Iterations in the decreasing half of a cycle. */
    public int stepSizeDown() {
        return stepSizeDown;
    }

    /** Iterations per cycle, {@code step_size_up + step_size_down}. */
    public int cycleLength() {
        return stepSizeUp + stepSizeDown;
    }

    /** The upper learning-rate bounds, one per group. */
    public double[] maxLrs() {
        return maxLrs.clone();
    }

    /** The policy name (ignored when a custom scale_fn is given). */
    public String mode() {
        return mode;
    }

    /** "cycle" or "iterations". */
    public String scaleMode() {
        return scaleMode;
    }

    /** Whether momentum (or beta1) is cycled. */
    public boolean cycleMomentum() {
        return cycleMomentum;
    }

    /** Also sets each group's momentum (or beta1) when cycling momentum, as PyTorch's {@code get_lr} does. */
    @Override
    protected double[] getLr() {
        int t = lastEpoch();
        double cycle = Math.floor(1 + t / totalSize);
        double x = 1.0 + t / totalSize - cycle;
        double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
        boolean perCycle = scaleMode.equals("cycle");
        double[] base = baseLrs();
        int n = Math.min(base.length, maxLrs.length);
        double[] lrs = new double[n];
        for (int i = 0; i < n; i++) {
            double baseHeight = (maxLrs[i] - base[i]) * scaleFactor;
            lrs[i] = base[i] + baseHeight * scaleFn(perCycle ? cycle : t);
        }
        if (cycleMomentum) {
            int m = Math.min(baseMomentums.length, maxMomentums.length);
            double[] momenta = new double[m];
            for (int i = 0; i < m; i++) {
                double baseHeight = (maxMomentums[i] - baseMomentums[i]) * scaleFactor;
                momenta[i] = maxMomentums[i] - baseHeight * scaleFn(perCycle ? cycle : t);
            }
            paramGroups().setMomenta(momenta);
        }
        return lrs;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("max_lrs", StateDicts.numbers(maxLrs));
        state.put("total_size", totalSize);
        state.put("step_ratio", stepRatio);
        state.put("mode", mode);
        state.put("gamma", gamma);
        state.put("_scale_fn_custom", null);
        state.put("scale_mode", scaleMode);
        state.put("cycle_momentum", cycleMomentum);
        if (cycleMomentum) {
            state.put("use_beta1", useBeta1);
            state.put("base_momentums", StateDicts.numbers(baseMomentums));
            state.put("max_momentums", StateDicts.numbers(maxMomentums));
        }
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader(OWNER, state);
        // the constructor's rules, checked before anything is taken
        int groups = paramGroups().size();
        for (String key : new String[] {"max_lrs", "base_momentums", "max_momentums"}) {
            r.numbers(key).ifPresent(v -> {
                if (v.length != groups) {
                    throw Checks.invalid(OWNER, key, java.util.Arrays.toString(v), "expected one per param group ("
                            + groups + ")");
                }
            });
        }
        r.number("total_size").ifPresent(v -> {
            if (!(v >= 1) || Double.isInfinite(v)) {
                throw Checks.invalid(OWNER, "total_size", v, "expected step_size_up + step_size_down >= 1");
            }
        });
        r.number("step_ratio").ifPresent(v -> {
            if (!(v > 0 && v <= 1)) {
                throw Checks.invalid(OWNER, "step_ratio", v, "expected step_size_up / total_size, in (0, 1]");
            }
        });
        r.string("mode").ifPresent(v -> {
            if (scaleFnCustom == null && !List.of("triangular", "triangular2", "exp_range").contains(v)) {
                throw Checks.invalid(OWNER, "mode", v, "expected one of 'triangular', 'triangular2', 'exp_range'");
            }
        });
        r.string("scale_mode").ifPresent(v -> {
            if (!v.equals("cycle") && !v.equals("iterations")) {
                throw Checks.invalid(OWNER, "scale_mode", v, "expected 'cycle' or 'iterations'");
            }
        });
        r.number("gamma").ifPresent(v -> Checks.finite(OWNER, "gamma", v));
        r.numbers("max_lrs").ifPresent(v -> maxLrs = v);
        r.number("total_size").ifPresent(v -> totalSize = v);
        r.number("step_ratio").ifPresent(v -> stepRatio = v);
        r.string("mode").ifPresent(v -> mode = v);
        r.number("gamma").ifPresent(v -> gamma = v);
        r.string("scale_mode").ifPresent(v -> scaleMode = v);
        r.bool("cycle_momentum").ifPresent(v -> cycleMomentum = v);
        r.bool("use_beta1").ifPresent(v -> useBeta1 = v);
        r.numbers("base_momentums").ifPresent(v -> baseMomentums = v);
        r.numbers("max_momentums").ifPresent(v -> maxMomentums = v);
        if (cycleMomentum && (baseMomentums == null || maxMomentums == null)) {
            throw new IllegalArgumentException(OWNER + " state dict: cycle_momentum is true but base_momentums or"
                    + " max_momentums is missing");
        }
        initScaleFn();
    }

    /**
     * Options of {@link CyclicLR} with PyTorch's keyword names and defaults: {@code step_size_up=2000,
     * step_size_down=step_size_up, mode="triangular", gamma=1.0, scale_mode="cycle", cycle_momentum=true,
     * base_momentum=0.8, max_momentum=0.9, last_epoch=-1}.
     */
    public static final class Builder {
        private final Optimizer optimizer;
        private PerGroup baseLr;
        private PerGroup maxLr;
        private int stepSizeUp = 2000;
        private Integer stepSizeDown;
        private String mode = "triangular";
        private double gamma = 1.0;
        private DoubleUnaryOperator scaleFn;
        private String scaleMode = "cycle";
        private boolean cycleMomentum = true;
        private PerGroup baseMomentum = PerGroup.of(0.8);
        private PerGroup maxMomentum = PerGroup.of(0.9);
        private int lastEpoch = -1;

        private Builder(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** The lower bound for every group. */
        public Builder baseLr(double baseLr) {
            this.baseLr = PerGroup.of(baseLr);
            return this;
        }

        /** One lower bound per group. */
        public Builder baseLrs(List<Double> baseLrs) {
            this.baseLr = PerGroup.of(baseLrs);
            return this;
        }

        /** The upper bound for every group. */
        public Builder maxLr(double maxLr) {
            this.maxLr = PerGroup.of(maxLr);
            return this;
        }

        /** One upper bound per group. */
        public Builder maxLrs(List<Double> maxLrs) {
            this.maxLr = PerGroup.of(maxLrs);
            return this;
        }

        /** Iterations in the increasing half of a cycle (>= 1). */
        public Builder stepSizeUp(int stepSizeUp) {
            this.stepSizeUp = stepSizeUp;
            return this;
        }

        /** Iterations in the decreasing half of a cycle (>= 0); defaults to step_size_up. */
        public Builder stepSizeDown(int stepSizeDown) {
            this.stepSizeDown = stepSizeDown;
            return this;
        }

        /** "triangular", "triangular2" or "exp_range". */
        public Builder mode(String mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The base of "exp_range"'s {@code gamma ** iterations}. */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /** A custom scaling policy with values in [0, 1]; {@code mode} is then ignored. */
        public Builder scaleFn(DoubleUnaryOperator scaleFn) {
            this.scaleFn = Objects.requireNonNull(scaleFn, "scale_fn");
            return this;
        }

        /** Whether a custom scale_fn sees the cycle number ("cycle") or the iteration ("iterations"). */
        public Builder scaleMode(String scaleMode) {
            this.scaleMode = Objects.requireNonNull(scaleMode, "scale_mode");
            return this;
        }

        /** Whether to cycle momentum (or Adam's beta1) inversely to the learning rate. */
        public Builder cycleMomentum(boolean cycleMomentum) {
            this.cycleMomentum = cycleMomentum;
            return this;
        }

        /** The momentum at the peak lr, for every group. */
        public Builder baseMomentum(double baseMomentum) {
            this.baseMomentum = PerGroup.of(baseMomentum);
            return this;
        }

        /** The momentum at the peak lr, one per group. */
        public Builder baseMomentums(List<Double> baseMomentums) {
            this.baseMomentum = PerGroup.of(baseMomentums);
            return this;
        }

        /** The momentum at the cycle's start, for every group. */
        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = PerGroup.of(maxMomentum);
            return this;
        }

        /** The momentum at the cycle's start, one per group. */
        public Builder maxMomentums(List<Double> maxMomentums) {
            this.maxMomentum = PerGroup.of(maxMomentums);
            return this;
        }

        /** The index of the last batch done, to resume (-1 to start). */
        public Builder lastEpoch(int lastEpoch) {
            this.lastEpoch = lastEpoch;
            return this;
        }

        /**
         * The scheduler.
         *
         * @throws IllegalArgumentException on a missing base_lr/max_lr, per-group lists of the wrong length, an
         *     unknown mode without scale_fn, {@code step_size_up < 1}, or cycle_momentum on an optimizer without momentum
         */
        public CyclicLR build() {
            return new CyclicLR(this);
        }
    }
}
