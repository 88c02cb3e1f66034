package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.optim.ConstantLR;
import dev.jlightning.optim.CosineAnnealingLR;
import dev.jlightning.optim.CyclicLR;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.LinearLR;
import dev.jlightning.optim.LinearWarmup;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.PolynomialLR;
import dev.jlightning.optim.SequentialLR;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Catches the most reported scheduler bug before training: a schedule length counted in one unit (batches or
 * epochs) while the scheduler steps in the other.
 *
 * <p>Not in Lightning. At fit start the number of times each scheduler will step is known exactly from the interval,
 * the frequency, the batches per epoch, gradient accumulation, {@code maxEpochs} and {@code maxSteps}. A schedule
 * that is meant to span the run (OneCycleLR, CosineAnnealingLR, PolynomialLR) warns when its length and that count
 * differ by more than a factor of 2 either way; a phase inside the run (LinearLR/ConstantLR {@code total_iters}, a
 * CyclicLR cycle, SequentialLR's last milestone, LinearWarmup's warmup) warns only when it is more than twice as long
 * as the run. OneCycleLR, which raises once stepped past {@code total_steps}, fails here instead of mid-training.
 */
final class ScheduleHorizonCheck {

    private static final Logger LOG = LogManager.getLogger(ScheduleHorizonCheck.class);

    private ScheduleHorizonCheck() {
    }

    /** One finding: the warning text, kept so tests can assert on it. */
    record Finding(String message) {
    }

    /**
     * Checks every config; returns the warnings it logged.
     *
     * @throws MisconfigurationException when a OneCycleLR would be stepped past its total_steps
     */
    static List<Finding> check(List<LRSchedulerConfig> configs, int batchesPerEpoch, int accumulate, int maxEpochs,
            long maxSteps) {
        List<Finding> findings = new ArrayList<>();
        for (LRSchedulerConfig c : configs) {
            if (c.reduceOnPlateau()) {
                continue;
            }
            long steps = schedulerSteps(c.interval(), c.frequency(), batchesPerEpoch, accumulate, maxEpochs, maxSteps);
            if (steps == Long.MAX_VALUE || steps == 0) {
                // an unbounded run has no length to compare with, and a run without steps (max_epochs=0) no schedule
                continue;
            }
            Interval otherInterval = c.interval() == Interval.EPOCH ? Interval.STEP : Interval.EPOCH;
            long otherSteps = schedulerSteps(otherInterval, c.frequency(), batchesPerEpoch, accumulate, maxEpochs,
                    maxSteps);
            LRScheduler s = c.scheduler();
            String unit = "interval='" + c.interval().key() + "'"
                    + (c.frequency() > 1 ? " with frequency=" + c.frequency() : "");
            if (s instanceof OneCycleLR) {
                OneCycleLR one = (OneCycleLR) s;
                long remaining = one.totalSteps() - s.lastEpoch();
                if (steps > remaining) {
                    // PyTorch raises once stepped past total_steps; failing now saves the whole run
                    throw new MisconfigurationException("OneCycleLR total_steps=" + one.totalSteps() + " but " + unit
                            + " gives " + steps + " scheduler steps in this fit"
                            + (s.lastEpoch() > 0 ? " (" + remaining + " remain after last_epoch=" + s.lastEpoch() + ")"
                                    : "")
                            + ", and PyTorch raises 'Tried to step " + (s.lastEpoch() + remaining + 1)
                            + " times' once the schedule is over: "
                            + fix(c, "total_steps", one.totalSteps(), steps, otherInterval, otherSteps));
                }
            }
            horizon(s).ifPresent(h -> {
                boolean tooLong = h.length > 2 * steps;
                boolean tooShort = h.wholeRun && steps > 2L * h.length;
                if (tooLong || tooShort) {
                    String msg = s.getClass().getSimpleName() + " " + h.key + "=" + h.length + " but " + unit
                            + " gives " + steps + " steps in this fit: "
                            + fix(c, h.key, h.length, steps, otherInterval, otherSteps);
                    LOG.warn(msg);
                    findings.add(new Finding(msg));
                }
            });
        }
        return findings;
    }

    /**
     * The likely fix: the other interval when its step count is nearer the horizon (the unit mismatch), and in any
     * case the horizon that spans this fit.
     */
    private static String fix(LRSchedulerConfig c, String key, long horizon, long steps, Interval otherInterval,
            long otherSteps) {
        String span = "set " + key + "=" + steps + " to span this fit" + (c.interval() == Interval.STEP
                ? " (trainer.estimatedSteppingBatches()" + (c.frequency() > 1 ? " / frequency" : "") + ")"
                : " (one step per " + (c.frequency() > 1 ? c.frequency() + " epochs" : "epoch") + ")");
        boolean otherNearer = otherSteps != Long.MAX_VALUE && otherSteps > 0
                && distance(horizon, otherSteps) < distance(horizon, steps);
        return otherNearer ? "did you mean interval='" + otherInterval.key() + "' (" + otherSteps + " steps)?"
                + " Otherwise " + span : span;
    }

    /** How far apart two step counts are, as a ratio, so 10 vs 20 and 1000 vs 2000 are equally far. */
    private static double distance(long a, long b) {
        return Math.abs(Math.log(Math.max(a, 1)) - Math.log(Math.max(b, 1)));
    }

    private record Horizon(String key, long length, boolean wholeRun) {
    }

    private static Optional<Horizon> horizon(LRScheduler s) {
        if (s instanceof OneCycleLR) {
            return Optional.of(new Horizon("total_steps", ((OneCycleLR) s).totalSteps(), true));
        }
        if (s instanceof CosineAnnealingLR) {
            return Optional.of(new Horizon("T_max", ((CosineAnnealingLR) s).tMax(), true));
        }
        if (s instanceof PolynomialLR) {
            return Optional.of(new Horizon("total_iters", ((PolynomialLR) s).totalIters(), true));
        }
        if (s instanceof LinearLR) {
            return Optional.of(new Horizon("total_iters", ((LinearLR) s).totalIters(), false));
        }
        if (s instanceof ConstantLR) {
            return Optional.of(new Horizon("total_iters", ((ConstantLR) s).totalIters(), false));
        }
        if (s instanceof CyclicLR) {
            return Optional.of(new Horizon("step_size_up+step_size_down", ((CyclicLR) s).cycleLength(), false));
        }
        if (s instanceof SequentialLR) {
            List<Integer> m = ((SequentialLR) s).milestones();
            return m.isEmpty() ? Optional.empty() : Optional.of(new Horizon("milestones[-1]", m.get(m.size() - 1),
                    false));
        }
        if (s instanceof LinearWarmup) {
            return Optional.of(new Horizon("warmup_steps", ((LinearWarmup) s).warmupSteps(), false));
        }
        return Optional.empty();
    }

    /**
     * How many times a scheduler with this interval and frequency steps in this fit, by Lightning's rules: step
     * interval after stepping batches whose {@code (batchIdx + 1) % frequency == 0}; epoch interval at the end of
     * complete epochs whose {@code (epoch + 1) % frequency == 0}; a maxSteps cut-off ends the run mid-epoch with no
     * epoch step.
     *
     * @return the count, or {@code Long.MAX_VALUE} for an unbounded run
     */
    static long schedulerSteps(Interval interval, int frequency, int batchesPerEpoch, int accumulate, int maxEpochs,
            long maxSteps) {
        int f = frequency;
        long optPerEpoch = 0;
        long schedPerEpoch = 0;
        for (int b = 0; b < batchesPerEpoch; b++) {
            boolean stepping = (b + 1) % accumulate == 0 || b == batchesPerEpoch - 1;
            if (stepping) {
                optPerEpoch++;
                if ((b + 1) % f == 0) {
                    schedPerEpoch++;
                }
            }
        }
        long fullEpochs = maxEpochs < 0 ? Long.MAX_VALUE : maxEpochs;
        long partialOptSteps = 0;
        if (maxSteps >= 0) {
            long fullByMaxSteps = maxSteps / optPerEpoch;
            if (fullByMaxSteps < fullEpochs) {
                fullEpochs = fullByMaxSteps;
                partialOptSteps = maxSteps - fullByMaxSteps * optPerEpoch;
            }
        }
        if (fullEpochs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (interval == Interval.EPOCH) {
            return fullEpochs / f;
        }
        long steps = fullEpochs * schedPerEpoch;
        long opt = 0;
        for (int b = 0; b < batchesPerEpoch && opt < partialOptSteps; b++) {
            boolean stepping = (b + 1) % accumulate == 0 || b == batchesPerEpoch - 1;
            if (stepping) {
                opt++;
                if ((b + 1) % f == 0) {
                    steps++;
                }
            }
        }
        return steps;
    }
}
