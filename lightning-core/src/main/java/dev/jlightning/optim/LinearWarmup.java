package dev.jlightning.optim;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * Linear learning-rate warm-up in front of a constant or of another schedule: PaddlePaddle's
 * {@code paddle.optimizer.lr.LinearWarmup}.
 *
 * <p>While {@code epoch < warmup_steps} the learning rate is
 * {@code (end_lr - start_lr) * epoch / warmup_steps + start_lr}. From then on it is {@code learning_rate}: a number,
 * or a PaddlePaddle-style scheduler that LinearWarmup steps itself with {@code step(epoch - warmup_steps)}, so the
 * inner schedule's own count starts at 0 when warm-up ends and its closed form is used where it has one (its
 * {@link PaddleLRScheduler#step(double)}). Nothing blends the two: if {@code end_lr} differs from the inner
 * schedule's value at 0, the learning rate jumps, as in Paddle. The inner scheduler must be built on the same
 * optimizer and must not be stepped by anyone else.
 *
 * <p>Every param group gets the value; see {@link PaddleLRScheduler}. The state dict carries the inner scheduler's
 * under Paddle's key {@code LinearWarmup_LR}.
 */
public class LinearWarmup extends PaddleLRScheduler {
    private final Optional<PaddleLRScheduler> inner;
    private final double constant;
    private final int warmupSteps;
    private final double startLr;
    private final double endLr;

    /** {@code LinearWarmup(learning_rate=<number>, warmup_steps, start_lr, end_lr)}. */
    public LinearWarmup(Optimizer optimizer, double learningRate, int warmupSteps, double startLr, double endLr) {
        this(optimizer, learningRate, warmupSteps, startLr, endLr, -1);
    }

    /**
     * {@code LinearWarmup(learning_rate=<number>, warmup_steps, start_lr, end_lr, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code warmup_steps < 1}, {@code start_lr < 0}, {@code end_lr <= start_lr}
     *     (Paddle asserts {@code end_lr > start_lr}) or the learning rate is negative or not finite
     */
    public LinearWarmup(Optimizer optimizer, double learningRate, int warmupSteps, double startLr, double endLr,
            int lastEpoch) {
        this(optimizer, Optional.empty(), checkedRate(learningRate), warmupSteps, startLr, endLr, lastEpoch);
    }

    /** {@code LinearWarmup(learning_rate=<scheduler>, warmup_steps, start_lr, end_lr)}. */
    public LinearWarmup(Optimizer optimizer, PaddleLRScheduler learningRate, int warmupSteps, double startLr,
            double endLr) {
        this(optimizer, learningRate, warmupSteps, startLr, endLr, -1);
    }

    /**
     * {@code LinearWarmup(learning_rate=<scheduler>, warmup_steps, start_lr, end_lr, last_epoch)}.
     *
     * @throws IllegalArgumentException as for the numeric form, or if the inner scheduler drives another optimizer
     */
    public LinearWarmup(Optimizer optimizer, PaddleLRScheduler learningRate, int warmupSteps, double startLr,
            double endLr, int lastEpoch) {
        this(optimizer, Optional.of(learningRate), 0.0, warmupSteps, startLr, endLr, lastEpoch);
    }

    private LinearWarmup(Optimizer optimizer, Optional<PaddleLRScheduler> inner, double constant, int warmupSteps,
            double startLr, double endLr, int lastEpoch) {
        super(optimizer, checkedStart(startLr), lastEpoch);
        inner.ifPresent(s -> {
            if (s.optimizer() != optimizer) {
                throw Checks.invalid("LinearWarmup", "learning_rate", s.getClass().getSimpleName(),
                        "the inner scheduler must be built on the same optimizer as LinearWarmup");
            }
        });
        this.inner = Objects.requireNonNull(inner);
        this.constant = constant;
        this.warmupSteps = Checks.atLeast("LinearWarmup", "warmup_steps", warmupSteps, 1);
        this.startLr = startLr;
        this.endLr = Checks.finite("LinearWarmup", "end_lr", endLr);
        if (!(endLr > startLr)) {
            throw Checks.invalid("LinearWarmup", "end_lr", endLr,
                    "end_lr must be greater than start_lr (" + startLr + ")");
        }
        initialStep();
    }

    private static double checkedRate(double learningRate) {
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw Checks.invalid("LinearWarmup", "learning_rate", learningRate,
                    "expected a finite number >= 0 or a scheduler");
        }
        return learningRate;
    }

    private static double checkedStart(double startLr) {
        if (!Double.isFinite(startLr) || startLr < 0) {
            throw Checks.invalid("LinearWarmup", "start_lr", startLr, "expected a finite number >= 0");
        }
        return startLr;
    }

    /** The scheduler that takes over after warm-up; empty when {@code learning_rate} is a number. */
    public Optional<PaddleLRScheduler> innerScheduler() {
        return inner;
    }

    /** The number of warm-up steps. */
    public int warmupSteps() {
        return warmupSteps;
    }

    @Override
    protected double paddleLr() {
        int t = lastEpoch();
        if (t < warmupSteps) {
            return (endLr - startLr) * (double) t / (double) warmupSteps + startLr;
        }
        if (inner.isPresent()) {
            PaddleLRScheduler s = inner.get();
            s.stepTo(t - warmupSteps);
            return s.lastLrValue();
        }
        return constant;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("warmup_steps", warmupSteps);
        state.put("start_lr", startLr);
        state.put("end_lr", endLr);
        inner.ifPresent(s -> state.put("LinearWarmup_LR", s.stateDict()));
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("LinearWarmup", state);
        inner.ifPresent(s -> r.map("LinearWarmup_LR").ifPresent(s::loadStateDict));
    }
}
