package dev.jlightning.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.pytorch.Optimizer;

/**
 * Base of every learning-rate scheduler: PyTorch's {@code torch.optim.lr_scheduler.LRScheduler}, with the same
 * bookkeeping ({@code base_lrs}, {@code last_epoch}, {@code _step_count}, {@code _last_lr}, {@code initial_lr}).
 *
 * <p>A scheduler changes the learning rate of each of its optimizer's param groups (through {@link ParamGroups});
 * {@link #step()} is called after {@code optimizer.step()}, once per epoch or per batch.
 *
 * <p><b>Writing a scheduler.</b> Java runs a superclass constructor before the subclass's fields exist, so the base
 * cannot take PyTorch's initial step in its own constructor the way {@code LRScheduler.__init__} does. A subclass
 * instead:
 * <pre>{@code
 * public final class MyScheduler extends LRScheduler {
 *     private final int warmup;
 *
 *     public MyScheduler(Optimizer optimizer, int warmup) {
 *         super(optimizer);          // or super(optimizer, lastEpoch)
 *         this.warmup = warmup;      // its own fields
 *         initialStep();             // PyTorch's initial_lr bookkeeping, then _initial_step()
 *     }
 *
 *     protected double[] getLr() {   // reads lastEpoch() and baseLrs()
 *         double[] base = baseLrs();
 *         ...
 *     }
 * }
 * }</pre>
 * {@link #initialStep()} does what the rest of PyTorch's {@code __init__} does: with {@code lastEpoch == -1} it
 * stores each group's lr as {@code initial_lr} unless one is already there; otherwise it requires
 * {@code initial_lr} in every group (resuming); {@code base_lrs} are those values; then it steps once with
 * {@link #isInitialStep()} true, which moves {@code last_epoch} from -1 to 0.
 *
 * <p>State: {@link #stateDict()} is plain JSON data with PyTorch's keys; a subclass with state of its own overrides
 * both {@link #stateDict()} and {@link #loadStateDict(Map)} and calls {@code super}. The optimizer's own state is not
 * part of it (save it with LibTorch's archive, and the {@code initial_lr} entries with
 * {@link ParamGroups#extrasStateDict()}).
 *
 * <p>Not thread-safe.
 */
public abstract class LRScheduler {
    private static final Logger LOG = LogManager.getLogger(LRScheduler.class);

    private final Optimizer optimizer;
    private final ParamGroups paramGroups;
    private int lastEpoch;
    private double[] baseLrs = new double[0];
    private int stepCount;
    private double[] lastLr;
    private boolean initial;
    private boolean initialized;
    private boolean epochWarningLogged;
    private boolean unusableLrWarned;

    /** Starts a schedule from the optimizer's current learning rates ({@code last_epoch = -1}). */
    protected LRScheduler(Optimizer optimizer) {
        this(optimizer, -1);
    }

    /**
     * Starts a schedule, or resumes one at {@code lastEpoch} (the index of the last epoch done; -1 to start).
     *
     * @throws IllegalArgumentException if the optimizer is not a supported bytedeco optimizer or {@code lastEpoch < -1}
     */
    protected LRScheduler(Optimizer optimizer, int lastEpoch) {
        Objects.requireNonNull(optimizer, "optimizer");
        if (lastEpoch < -1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": last_epoch=" + lastEpoch
                    + " is invalid: expected -1 (start a new schedule) or the index of the last epoch done (>= 0)");
        }
        this.optimizer = optimizer;
        this.paramGroups = ParamGroups.of(optimizer);
        this.lastEpoch = lastEpoch;
    }

    /**
     * Finishes construction: PyTorch's {@code initial_lr} rule, {@code base_lrs}, then {@code _initial_step()}.
     * Call it once, at the end of the subclass constructor.
     *
     * @throws IllegalArgumentException when resuming ({@code lastEpoch >= 0}) and a group has no {@code initial_lr}
     * @throws IllegalStateException if called twice
     */
    protected final void initialStep() {
        if (initialized) {
            throw new IllegalStateException(getClass().getSimpleName() + ": initialStep() was already called");
        }
        int n = paramGroups.size();
        double[] initialLrs = new double[n];
        for (int i = 0; i < n; i++) {
            if (lastEpoch == -1) {
                // setdefault: a scheduler created earlier on this optimizer keeps its initial_lr
                if (paramGroups.initialLr(i).isEmpty()) {
                    paramGroups.setInitialLr(i, paramGroups.lr(i));
                }
            } else if (paramGroups.initialLr(i).isEmpty()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": param 'initial_lr' is not"
                        + " specified in param_groups[" + i + "] when resuming an optimizer (last_epoch="
                        + lastEpoch + "); create the scheduler with last_epoch=-1, or restore the param-group"
                        + " extras (ParamGroups.loadExtrasStateDict) first");
            }
            initialLrs[i] = paramGroups.initialLr(i).getAsDouble();
        }
        baseLrs = initialLrs;
        initialized = true;
        takeInitialStep();
    }

    /** PyTorch's {@code _initial_step}: reset the step count and step once in initial mode. */
    final void takeInitialStep() {
        stepCount = 0;
        initial = true;
        try {
            step();
        } finally {
            initial = false;
        }
    }

    /** For schedulers that, like PyTorch's SequentialLR and ChainedScheduler, skip the base initialisation. */
    final void markInitialized(double[] lastLrs) {
        initialized = true;
        lastLr = lastLrs.clone();
    }

    /** Advances the schedule by one epoch (or batch) and writes the new learning rates into the optimizer. */
    public void step() {
        requireInitialized();
        stepCount++;
        updateLr();
    }

    /**
     * PyTorch's deprecated {@code step(epoch)}: jumps to {@code epoch}, using the scheduler's closed form where it
     * has one and {@link #getLr()} otherwise. Kept for code ported from PyTorch; prefer {@link #step()}.
     *
     * @param epoch the epoch to jump to; an integral value (PyTorch types it {@code int}), except for schedulers that
     *     document fractional epochs ({@link CosineAnnealingWarmRestarts})
     * @throws IllegalArgumentException if {@code epoch} is not an integral value
     * @deprecated as in PyTorch: call {@link #step()}
     */
    @Deprecated
    public void step(double epoch) {
        requireInitialized();
        int e = integralEpoch(epoch);
        stepCount++;
        warnEpochDeprecated();
        updateLr(e);
    }

    /** PyTorch's {@code _update_lr(None)}. */
    final void updateLr() {
        lastEpoch += 1;
        // get_lr reads the groups' lrs and the update writes them: one options lookup per group for both
        paramGroups.holdOptions();
        try {
            applyLrs(getLr());
        } finally {
            paramGroups.releaseOptions();
        }
    }

    /** PyTorch's {@code _update_lr(epoch)}: the closed form if there is one, else {@link #getLr()}. */
    final void updateLr(int epoch) {
        lastEpoch = epoch;
        Optional<double[]> closed = closedFormLr();
        applyLrs(closed.isPresent() ? closed.get() : getLr());
    }

    /**
     * The learning rates for the current {@link #lastEpoch()}, one per param group: PyTorch's chainable
     * {@code get_lr()}. Called by {@link #step()}, never by users (read {@link #getLastLr()} instead).
     */
    protected abstract double[] getLr();

    /**
     * PyTorch's {@code _get_closed_form_lr()}: the learning rates computed from {@link #baseLrs()} and
     * {@link #lastEpoch()} alone, used by the deprecated {@link #step(double)}. Empty (the default) for schedulers
     * without one.
     */
    protected Optional<double[]> closedFormLr() {
        return Optional.empty();
    }

    /**
     * Writes {@code values} into the groups (the first {@code min(values.length, groups)} of them, as PyTorch's
     * {@code zip}) and records {@link #getLastLr()}. For subclasses that override {@link #step()}.
     */
    protected final void applyLrs(double[] values) {
        warnIfUnusable(values);
        int n = paramGroups.setLrs(values);
        // lastLr is this scheduler's own array (getLastLr hands out copies), so a step of the same shape reuses it
        double[] last = lastLr != null && lastLr.length == n ? lastLr : new double[n];
        int written = Math.min(n, values.length);
        System.arraycopy(values, 0, last, 0, written);
        for (int i = written; i < n; i++) {
            last[i] = paramGroups.lr(i);
        }
        lastLr = last;
    }

    /**
     * PyTorch sets whatever a schedule computes, and so do we; but a negative, NaN or infinite learning rate is
     * almost always a configuration mistake (a negative gamma, a power below zero), so it is reported once.
     */
    private void warnIfUnusable(double[] values) {
        if (unusableLrWarned) {
            return;
        }
        for (double v : values) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                unusableLrWarned = true;
                LOG.warn("{} computed the learning rate {} at last_epoch={} (all groups: {}); training with a"
                        + " negative, NaN or infinite learning rate is rarely intended. Check the scheduler's"
                        + " arguments. This is reported once per scheduler.", getClass().getSimpleName(), v,
                        lastEpoch, java.util.Arrays.toString(values));
                return;
            }
        }
    }

    /** Records the groups' current learning rates as {@link #getLastLr()} (PyTorch's {@code _last_lr} refresh). */
    protected final void refreshLastLr() {
        lastLr = paramGroups.lrs();
    }

    /** Sets {@link #getLastLr()} directly, for composite schedulers that report a child's values. */
    protected final void setLastLr(double[] values) {
        lastLr = values.clone();
    }

    /** The learning rates the last step set, one per param group (PyTorch's {@code get_last_lr()}). */
    public double[] getLastLr() {
        requireInitialized();
        return lastLr.clone();
    }

    /** The index of the last epoch (or batch) stepped; 0 right after construction. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** Sets {@link #lastEpoch()}, for subclasses that keep their own epoch arithmetic. */
    protected final void setLastEpoch(int lastEpoch) {
        this.lastEpoch = lastEpoch;
    }

    /** The learning rates the schedule is relative to, one per group (PyTorch's {@code base_lrs}). */
    public double[] baseLrs() {
        return baseLrs.clone();
    }

    /** Replaces {@link #baseLrs()}, as PyTorch's CyclicLR does after its initial step. */
    protected final void setBaseLrs(double[] baseLrs) {
        this.baseLrs = baseLrs.clone();
    }

    /** The number of {@link #step()} calls since the initial step, which counts as one (PyTorch's {@code _step_count}). */
    protected final int stepCount() {
        return stepCount;
    }

    /** Sets PyTorch's {@code _step_count}, for subclasses that restore it themselves. */
    protected final void setStepCount(int stepCount) {
        this.stepCount = stepCount;
    }

    /**
     * Whether the step in progress is the initial one taken by construction (PyTorch's {@code _is_initial}); a
     * chainable {@link #getLr()} returns the groups' current learning rates then, so that resuming does not move
     * the schedule one step ahead of itself.
     */
    protected final boolean isInitialStep() {
        return initial;
    }

    /** The optimizer whose learning rates this scheduler sets. */
    public final Optimizer optimizer() {
        return optimizer;
    }

    /** The view of the optimizer's param groups this scheduler reads and writes. */
    public final ParamGroups paramGroups() {
        return paramGroups;
    }

    /** The groups' current learning rates, PyTorch's {@code [group["lr"] for group in optimizer.param_groups]}. */
    protected final double[] groupLrs() {
        return paramGroups.lrs();
    }

    /** Schedulers wrapped by a composite (SequentialLR, ChainedScheduler); empty for a plain scheduler. */
    List<LRScheduler> children() {
        return Collections.emptyList();
    }

    /**
     * The scheduler's state as plain JSON data with PyTorch's keys: {@code base_lrs}, {@code last_epoch},
     * {@code _step_count}, {@code _get_lr_called_within_step}, {@code _is_initial}, {@code _last_lr}, then the
     * subclass's own entries. Functions (lambdas) are not part of it, as in PyTorch.
     */
    public Map<String, Object> stateDict() {
        requireInitialized();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("base_lrs", StateDicts.numbers(baseLrs));
        state.put("last_epoch", lastEpoch);
        state.put("_step_count", stepCount);
        state.put("_get_lr_called_within_step", false);
        state.put("_is_initial", false);
        state.put("_last_lr", StateDicts.numbers(lastLr));
        return state;
    }

    /**
     * Restores a {@link #stateDict()}. Like PyTorch's {@code __dict__.update}, keys that are present replace the
     * current values and missing keys leave them alone.
     *
     * @throws IllegalArgumentException if a present key holds the wrong type
     */
    public void loadStateDict(Map<String, Object> state) {
        requireInitialized();
        String owner = getClass().getSimpleName();
        StateDicts.Reader r = StateDicts.reader(owner, state);
        // every value is checked before any is taken, with the constructor's rules
        Optional<double[]> base = r.numbers("base_lrs");
        java.util.OptionalInt last = r.integer("last_epoch");
        java.util.OptionalInt steps = r.integer("_step_count");
        Optional<double[]> lastLrs = r.numbers("_last_lr");
        int groups = perGroupState() ? paramGroups.size() : -1;
        base.ifPresent(v -> checkPerGroup(owner, "base_lrs", v, groups));
        lastLrs.ifPresent(v -> checkPerGroup(owner, "_last_lr", v, groups));
        if (last.isPresent() && last.getAsInt() < -1) {
            throw Checks.invalid(owner, "last_epoch", last.getAsInt(),
                    "expected -1 (a new schedule) or the index of the last epoch done (>= 0)");
        }
        if (steps.isPresent() && steps.getAsInt() < 0) {
            throw Checks.invalid(owner, "_step_count", steps.getAsInt(), "expected a count >= 0");
        }
        base.ifPresent(v -> baseLrs = v);
        last.ifPresent(v -> lastEpoch = v);
        steps.ifPresent(v -> stepCount = v);
        lastLrs.ifPresent(v -> lastLr = v);
    }

    /**
     * Whether {@code base_lrs} and {@code _last_lr} hold one value per param group, so that a state dict for another
     * number of groups is refused; PaddlePaddle-style schedulers, which give every group one value, say no.
     */
    protected boolean perGroupState() {
        return true;
    }

    private static void checkPerGroup(String owner, String key, double[] values, int groups) {
        if (groups >= 0 && values.length != groups) {
            throw Checks.invalid(owner, key, java.util.Arrays.toString(values), "expected one value per param group ("
                    + groups + ")");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw Checks.invalid(owner, key, java.util.Arrays.toString(values), "expected finite numbers");
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[last_epoch=" + lastEpoch + ", " + paramGroups + "]";
    }

    private void requireInitialized() {
        if (!initialized) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not initialised: its constructor must"
                    + " end with initialStep()");
        }
    }

    private int integralEpoch(double epoch) {
        if (epoch != Math.rint(epoch) || Math.abs(epoch) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".step(epoch): epoch=" + epoch
                    + " is invalid: expected an integral epoch (only CosineAnnealingWarmRestarts takes fractions)");
        }
        return (int) epoch;
    }

    /** Logs PyTorch's deprecation warning for {@code step(epoch)} once per scheduler. */
    protected final void warnEpochDeprecated() {
        if (!epochWarningLogged) {
            epochWarningLogged = true;
            LOG.warn("{}.step(epoch) is deprecated, as in PyTorch: call step() without an epoch. With an"
                    + " epoch the scheduler jumps there, through its closed form where it has one.",
                    getClass().getSimpleName());
        }
    }
}
