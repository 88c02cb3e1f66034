package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.bytedeco.pytorch.Optimizer;

/**
 * The 1cycle policy: learning rate up from {@code max_lr / div_factor} to {@code max_lr}, then down to
 * {@code initial_lr / final_div_factor}, with momentum (or Adam's beta1) moving the other way: PyTorch's
 * {@code torch.optim.lr_scheduler.OneCycleLR}, stepped after every batch.
 *
 * <p>Two phases by default (fastai's), three with {@code three_phase}; cosine or linear annealing. The length is
 * {@code total_steps}, or {@code epochs * steps_per_epoch}. Stepping more than {@code total_steps} times throws
 * {@link IllegalStateException} with PyTorch's message. Per-group bookkeeping ({@code initial_lr}, {@code max_lr},
 * {@code min_lr}, {@code max_momentum}, {@code base_momentum}) lives in the param groups, as in PyTorch.
 *
 * <p>{@code OneCycleLR.builder(opt).maxLr(0.1).totalSteps(100).build()}.
 */
public class OneCycleLR extends LRScheduler {
    private static final String OWNER = "OneCycleLR";
    private static final Set<String> GROUP_KEYS =
            Set.of("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum");

    private int totalSteps;
    private List<Phase> phases;
    private String annealStrategy;
    private boolean cycleMomentum;
    private boolean useBeta1;

    /** One phase of the schedule: PyTorch's {@code _SchedulePhase}; the lr/momentum fields name group keys. */
    private static final class Phase {
        final double endStep;
        final String startLr;
        final String endLr;
        final String startMomentum;
        final String endMomentum;

        Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {
            this.endStep = endStep;
            this.startLr = startLr;
            this.endLr = endLr;
            this.startMomentum = startMomentum;
            this.endMomentum = endMomentum;
        }
    }

    private OneCycleLR(Builder b) {
        super(b.optimizer, b.lastEpoch);
        if (b.maxLr == null) {
            throw new IllegalArgumentException(OWNER + ": max_lr is required (a number, or one per param group)");
        }
        if (b.totalSteps.isPresent()) {
            if (b.totalSteps.getAsInt() <= 0) {
                throw Checks.invalid(OWNER, "total_steps", b.totalSteps.getAsInt(),
                        "Expected positive integer total_steps, but got " + b.totalSteps.getAsInt());
            }
            this.totalSteps = b.totalSteps.getAsInt();
        } else if (b.epochs.isPresent() && b.stepsPerEpoch.isPresent()) {
            if (b.epochs.getAsInt() <= 0) {
                throw Checks.invalid(OWNER, "epochs", b.epochs.getAsInt(),
                        "Expected positive integer epochs, but got " + b.epochs.getAsInt());
            }
            if (b.stepsPerEpoch.getAsInt() <= 0) {
                throw Checks.invalid(OWNER, "steps_per_epoch", b.stepsPerEpoch.getAsInt(),
                        "Expected positive integer steps_per_epoch, but got " + b.stepsPerEpoch.getAsInt());
            }
            this.totalSteps = Math.multiplyExact(b.epochs.getAsInt(), b.stepsPerEpoch.getAsInt());
        } else {
            throw new IllegalArgumentException(OWNER + ": You must define either total_steps OR (epochs AND"
                    + " steps_per_epoch); got total_steps=" + describe(b.totalSteps) + ", epochs="
                    + describe(b.epochs) + ", steps_per_epoch=" + describe(b.stepsPerEpoch));
        }
        if (!(b.pctStart >= 0 && b.pctStart <= 1)) {
            throw Checks.invalid(OWNER, "pct_start", b.pctStart,
                    "Expected float between 0 and 1 pct_start, but got " + b.pctStart);
        }
        if (!b.annealStrategy.equals("cos") && !b.annealStrategy.equals("linear")) {
            throw Checks.invalid(OWNER, "anneal_strategy", b.annealStrategy,
                    "anneal_strategy must be one of 'cos' or 'linear', instead got " + b.annealStrategy);
        }
        Checks.finite(OWNER, "div_factor", b.divFactor);
        Checks.finite(OWNER, "final_div_factor", b.finalDivFactor);
        // PyTorch divides by both (initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor) and
        // raises ZeroDivisionError for 0; here that is refused before any step sets an infinite or NaN lr
        if (b.divFactor == 0) {
            throw Checks.invalid(OWNER, "div_factor", b.divFactor, "a non-zero number (PyTorch raises"
                    + " ZeroDivisionError: initial_lr = max_lr / div_factor)");
        }
        if (b.finalDivFactor == 0) {
            throw Checks.invalid(OWNER, "final_div_factor", b.finalDivFactor, "a non-zero number (PyTorch raises"
                    + " ZeroDivisionError: min_lr = initial_lr / final_div_factor)");
        }
        ParamGroups groups = paramGroups();
        int n = groups.size();
        double[] maxLrs = b.maxLr.resolve(OWNER, "max_lr", n);
        double[] maxMomentums = null;
        double[] baseMomentums = null;
        if (b.cycleMomentum) {
            if (!groups.hasMomentum() && !groups.hasBetas()) {
                throw Checks.invalid(OWNER, "cycle_momentum", true, "optimizer must support momentum or beta1 with"
                        + " `cycle_momentum` option enabled; " + groups.optimizerName()
                        + " has neither, so set cycle_momentum to false");
            }
            maxMomentums = b.maxMomentum.resolve(OWNER, "max_momentum", n);
            baseMomentums = b.baseMomentum.resolve(OWNER, "base_momentum", n);
        }

        this.phases = buildPhases(b.threePhase, b.pctStart, totalSteps);
        this.annealStrategy = b.annealStrategy;
        if (b.lastEpoch == -1) {
            for (int i = 0; i < n; i++) {
                double initialLr = maxLrs[i] / b.divFactor;
                groups.setInitialLr(i, initialLr);
                groups.setExtra(i, "max_lr", maxLrs[i]);
                groups.setExtra(i, "min_lr", initialLr / b.finalDivFactor);
            }
        }
        this.cycleMomentum = b.cycleMomentum;
        if (b.cycleMomentum) {
            this.useBeta1 = groups.hasBetas();
            if (b.lastEpoch == -1) {
                for (int i = 0; i < n; i++) {
                    groups.setMomentum(i, maxMomentums[i]);
                    groups.setExtra(i, "max_momentum", maxMomentums[i]);
                    groups.setExtra(i, "base_momentum", baseMomentums[i]);
                }
            }
        }
        initialStep();
    }

    private static List<Phase> buildPhases(boolean threePhase, double pctStart, int totalSteps) {
        List<Phase> phases = new ArrayList<>();
        if (threePhase) {
            phases.add(new Phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"));
            phases.add(new Phase(2 * pctStart * totalSteps - 2, "max_lr", "initial_lr", "base_momentum",
                    "max_momentum"));
            phases.add(new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"));
        } else {
            phases.add(new Phase(pctStart * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"));
            phases.add(new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
        }
        return phases;
    }

    private static String describe(OptionalInt v) {
        return v.isPresent() ? String.valueOf(v.getAsInt()) : "None";
    }

    /** A builder; {@code max_lr} and either {@code total_steps} or {@code epochs} with {@code steps_per_epoch}. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** The number of steps in the cycle. */
    public int totalSteps() {
        return totalSteps;
    }

    /** "cos" or "linear". */
    public String annealStrategy() {
        return annealStrategy;
    }

    /** Whether momentum (or beta1) is cycled. */
    public boolean cycleMomentum() {
        return cycleMomentum;
    }

    private double anneal(double start, double end, double pct) {
        if (annealStrategy.equals("cos")) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    /**
     * Also sets each group's momentum (or beta1) when cycling momentum, as PyTorch's {@code get_lr} does.
     *
     * @throws IllegalStateException when stepped past {@code total_steps}
     */
    @Override
    protected double[] getLr() {
        int stepNum = lastEpoch();
        if (stepNum > totalSteps) {
            throw new IllegalStateException("Tried to step " + stepNum + " times. The specified number of total"
                    + " steps is " + totalSteps);
        }
        ParamGroups groups = paramGroups();
        int n = groups.size();
        double[] lrs = new double[n];
        double[] momenta = cycleMomentum ? new double[n] : null;
        for (int g = 0; g < n; g++) {
            double startStep = 0.0;
            for (int i = 0; i < phases.size(); i++) {
                Phase phase = phases.get(i);
                double endStep = phase.endStep;
                if (stepNum <= endStep || i == phases.size() - 1) {
                    double pct = (stepNum - startStep) / (endStep - startStep);
                    lrs[g] = anneal(groupValue(g, phase.startLr), groupValue(g, phase.endLr), pct);
                    if (cycleMomentum) {
                        momenta[g] = anneal(groupValue(g, phase.startMomentum), groupValue(g, phase.endMomentum),
                                pct);
                    }
                    break;
                }
                startStep = phase.endStep;
            }
        }
        if (cycleMomentum) {
            groups.setMomenta(momenta);
        }
        return lrs;
    }

    private double groupValue(int group, String key) {
        return paramGroups().extraUnchecked(group, key).orElseThrow(() -> new IllegalStateException(OWNER
                + ": param_groups[" + group + "] has no '" + key + "'; it is set when the scheduler is created with"
                + " last_epoch=-1, or restored with ParamGroups.loadExtrasStateDict"));
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("total_steps", totalSteps);
        List<Object> phaseStates = new ArrayList<>();
        for (Phase p : phases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("end_step", p.endStep);
            m.put("start_lr", p.startLr);
            m.put("end_lr", p.endLr);
            m.put("start_momentum", p.startMomentum);
            m.put("end_momentum", p.endMomentum);
            phaseStates.add(m);
        }
        state.put("_schedule_phases", phaseStates);
        state.put("_anneal_func_type", annealStrategy);
        state.put("cycle_momentum", cycleMomentum);
        if (cycleMomentum) {
            state.put("use_beta1", useBeta1);
        }
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader(OWNER, state);
        r.integer("total_steps").ifPresent(v -> totalSteps = Checks.atLeast(OWNER, "total_steps", v, 1));
        r.maps("_schedule_phases").ifPresent(list -> {
            List<Phase> restored = new ArrayList<>();
            for (Map<String, Object> m : list) {
                StateDicts.Reader p = StateDicts.reader(OWNER + " _schedule_phases", m);
                restored.add(new Phase(p.number("end_step").orElseThrow(() -> missing("end_step")),
                        groupKey(p, "start_lr"), groupKey(p, "end_lr"), groupKey(p, "start_momentum"),
                        groupKey(p, "end_momentum")));
            }
            phases = restored;
        });
        r.string("_anneal_func_type").ifPresent(v -> {
            if (!v.equals("cos") && !v.equals("linear")) {
                throw new IllegalArgumentException(OWNER + " state dict: '_anneal_func_type' must be 'cos' or"
                        + " 'linear', got '" + v + "'");
            }
            annealStrategy = v;
        });
        r.bool("cycle_momentum").ifPresent(v -> cycleMomentum = v);
        r.bool("use_beta1").ifPresent(v -> useBeta1 = v);
    }

    private static String groupKey(StateDicts.Reader p, String key) {
        String value = p.string(key).orElseThrow(() -> missing(key));
        if (!GROUP_KEYS.contains(value)) {
            throw new IllegalArgumentException(OWNER + " state dict: phase '" + key + "' must be one of "
                    + GROUP_KEYS + ", got '" + value + "'");
        }
        return value;
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException(OWNER + " state dict: a phase lacks '" + key + "'");
    }

    /**
     * Options of {@link OneCycleLR} with PyTorch's keyword names and defaults: {@code pct_start=0.3,
     * anneal_strategy="cos", cycle_momentum=true, base_momentum=0.85, max_momentum=0.95, div_factor=25,
     * final_div_factor=1e4, three_phase=false, last_epoch=-1}.
     */
    public static final class Builder {
        private final Optimizer optimizer;
        private PerGroup maxLr;
        private OptionalInt totalSteps = OptionalInt.empty();
        private OptionalInt epochs = OptionalInt.empty();
        private OptionalInt stepsPerEpoch = OptionalInt.empty();
        private double pctStart = 0.3;
        private String annealStrategy = "cos";
        private boolean cycleMomentum = true;
        private PerGroup baseMomentum = PerGroup.of(0.85);
        private PerGroup maxMomentum = PerGroup.of(0.95);
        private double divFactor = 25.0;
        private double finalDivFactor = 1e4;
        private boolean threePhase;
        private int lastEpoch = -1;

        private Builder(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** The peak learning rate of every group. */
        public Builder maxLr(double maxLr) {
            this.maxLr = PerGroup.of(maxLr);
            return this;
        }

        /** The peak learning rate, one per group. */
        public Builder maxLrs(List<Double> maxLrs) {
            this.maxLr = PerGroup.of(maxLrs);
            return this;
        }

        /** The number of steps in the cycle; takes precedence over epochs and steps_per_epoch. */
        public Builder totalSteps(int totalSteps) {
            this.totalSteps = OptionalInt.of(totalSteps);
            return this;
        }

        /** With {@link #stepsPerEpoch(int)}, sets total_steps = epochs * steps_per_epoch. */
        public Builder epochs(int epochs) {
            this.epochs = OptionalInt.of(epochs);
            return this;
        }

        /** With {@link #epochs(int)}, sets total_steps = epochs * steps_per_epoch. */
        public Builder stepsPerEpoch(int stepsPerEpoch) {
            this.stepsPerEpoch = OptionalInt.of(stepsPerEpoch);
            return this;
        }

        /** The fraction of the cycle spent increasing the lr, in [0, 1]. */
        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        /** "cos" or "linear". */
        public Builder annealStrategy(String annealStrategy) {
            this.annealStrategy = Objects.requireNonNull(annealStrategy, "anneal_strategy");
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

        /** The momentum at the start and end, for every group. */
        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = PerGroup.of(maxMomentum);
            return this;
        }

        /** The momentum at the start and end, one per group. */
        public Builder maxMomentums(List<Double> maxMomentums) {
            this.maxMomentum = PerGroup.of(maxMomentums);
            return this;
        }

        /** initial_lr = max_lr / div_factor. */
        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        /** min_lr = initial_lr / final_div_factor. */
        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        /** Three phases (up, down to initial_lr, down to min_lr) as in the original paper. */
        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
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
         * @throws IllegalArgumentException on PyTorch's invalid values: {@code total_steps}/{@code epochs}/
         *     {@code steps_per_epoch < 1} or missing, pct_start outside [0, 1], an unknown anneal_strategy, per-group lists of the wrong length,
         *     cycle_momentum on an optimizer without momentum or betas
         */
        public OneCycleLR build() {
            return new OneCycleLR(this);
        }
    }
}
