package dev.jlightning.optim;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;

/**
 * Base of the PaddlePaddle-style schedulers: PaddlePaddle's {@code paddle.optimizer.lr.LRScheduler}, mapped onto a
 * LibTorch optimizer.
 *
 * <p>In Paddle the scheduler <em>is</em> the learning rate: it computes one value, {@code last_lr}, from its own
 * {@code learning_rate} (Paddle's {@code base_lr}) and {@code last_epoch}, and the optimizer reads it. Here the
 * scheduler writes that value into every param group of the optimizer after each step, so all groups share Paddle's
 * learning rate (Paddle's per-parameter {@code learning_rate} multipliers have no counterpart). The optimizer's own
 * group lrs only seed PyTorch's {@code initial_lr} bookkeeping; {@link #baseLrs()} reports Paddle's
 * {@code base_lr} for every group and {@link #getLastLr()} Paddle's {@code last_lr}.
 *
 * <p>Paddle's rules, kept here: the constructor sets {@code last_epoch} (default -1) and steps once; {@link #step()}
 * adds one to {@code last_epoch} and calls {@link #paddleLr()} (Paddle's {@code get_lr}); {@link #step(double)} sets
 * {@code last_epoch} to the given epoch and uses the closed form where the scheduler has one, else
 * {@link #paddleLr()} (not deprecated in Paddle, so no warning). A subclass's constructor calls
 * {@code super(optimizer, learningRate, lastEpoch)}, sets its fields, then {@link #initialStep()}, like every
 * {@link LRScheduler}.
 */
public abstract class PaddleLRScheduler extends LRScheduler {
    private final double learningRate;
    private final int startEpoch;
    private boolean stepped;

    /**
     * Paddle's {@code LRScheduler(learning_rate, last_epoch)}.
     *
     * @throws IllegalArgumentException if the learning rate is negative or not finite, or {@code lastEpoch < -1}
     */
    protected PaddleLRScheduler(Optimizer optimizer, double learningRate, int lastEpoch) {
        // Paddle's last_epoch is this scheduler's own count, so PyTorch's initial_lr rule for resuming does not
        // apply: start the base at -1 and move to lastEpoch in the initial step.
        super(optimizer);
        String owner = getClass().getSimpleName();
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw Checks.invalid(owner, "learning_rate", learningRate, "expected a finite number >= 0");
        }
        if (lastEpoch < -1) {
            throw Checks.invalid(owner, "last_epoch", lastEpoch,
                    "expected -1 (start) or the index of the last epoch done (>= 0)");
        }
        this.learningRate = learningRate;
        this.startEpoch = lastEpoch;
    }

    /**
     * Paddle's {@code get_lr()}: the learning rate for the current {@link #lastEpoch()}, from {@link #baseLr()} and,
     * for recursive schedules, {@link #lastLrValue()}.
     */
    protected abstract double paddleLr();

    /** Paddle's {@code _get_closed_form_lr()}, used by {@link #step(double)}; empty for schedulers without one. */
    protected OptionalDouble paddleClosedFormLr() {
        return OptionalDouble.empty();
    }

    /** Paddle's {@code base_lr}: the {@code learning_rate} the schedule is relative to. */
    public final double baseLr() {
        return learningRate;
    }

    /**
     * Paddle's {@code last_lr} (what calling a Paddle scheduler returns): the learning rate after the last step,
     * or the {@code learning_rate} itself before the first one.
     */
    public final double lastLrValue() {
        return stepped ? getLastLr()[0] : learningRate;
    }

    @Override
    protected final double[] getLr() {
        return filled(paddleLr());
    }

    @Override
    protected final Optional<double[]> closedFormLr() {
        OptionalDouble closed = paddleClosedFormLr();
        return closed.isPresent() ? Optional.of(filled(closed.getAsDouble())) : Optional.empty();
    }

    @Override
    public void step() {
        if (isInitialStep()) {
            setLastEpoch(startEpoch);
            setBaseLrs(filled(learningRate));
        }
        super.step();
        stepped = true;
    }

    /**
     * Paddle's {@code step(epoch)}: sets {@code last_epoch} to {@code epoch} and computes that epoch's learning rate
     * (the closed form where there is one).
     *
     * @throws IllegalArgumentException if {@code epoch} is not an integral value >= 0
     */
    @Override
    @SuppressWarnings("deprecation")
    public void step(double epoch) {
        if (epoch != Math.rint(epoch) || epoch < 0 || epoch > Integer.MAX_VALUE) {
            throw Checks.invalid(getClass().getSimpleName(), "epoch", epoch, "expected an integral epoch >= 0");
        }
        stepTo((int) epoch);
    }

    /** {@link #step(double)} for an int epoch; also how {@link LinearWarmup} drives its inner scheduler. */
    final void stepTo(int epoch) {
        setStepCount(stepCount() + 1);
        updateLr(epoch);
        stepped = true;
    }

    private double[] filled(double value) {
        double[] values = new double[paramGroups().size()];
        Arrays.fill(values, value);
        return values;
    }

    /** The base state plus Paddle's own keys, {@code last_lr} and {@code base_lr}. */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("last_lr", StateDicts.number(lastLrValue()));
        state.put("base_lr", learningRate);
        return state;
    }

    /** Restores {@link #stateDict()}; a Paddle-style dict with only {@code last_epoch} and {@code last_lr} works too. */
    @Override
    protected boolean perGroupState() {
        // one learning rate for every group, as Paddle has no param groups; a state dict from another group count fits
        return false;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader(getClass().getSimpleName(), state);
        if (!r.has("_last_lr")) {
            r.number("last_lr").ifPresent(v -> setLastLr(filled(v)));
        }
        stepped = true;
    }
}
