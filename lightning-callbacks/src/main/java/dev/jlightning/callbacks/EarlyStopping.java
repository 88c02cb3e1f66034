package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.logging.PythonFormat;
import dev.jlightning.optim.StateDicts;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Stops training when a monitored metric stops improving, reaches a threshold, diverges or becomes non-finite.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.EarlyStopping}, with its options, order of checks and
 * messages:
 * <ol>
 *   <li>{@code checkFinite} and the value is NaN or infinite: stop ({@link EarlyStoppingReason#NON_FINITE_METRIC});
 *   <li>the value is better than {@code stoppingThreshold}: stop ({@link EarlyStoppingReason#STOPPING_THRESHOLD});
 *   <li>the value is worse than {@code divergenceThreshold}: stop ({@link EarlyStoppingReason#DIVERGENCE_THRESHOLD});
 *   <li>the value beats the best by more than {@code minDelta} ({@code current + minDelta < best} in "min" mode,
 *       {@code current - minDelta > best} in "max" mode): it becomes the best and {@code wait_count} resets;
 *   <li>otherwise {@code wait_count} grows, and reaching {@code patience} stops
 *       ({@link EarlyStoppingReason#PATIENCE_EXHAUSTED}).
 * </ol>
 * As in Lightning, the values are compared as float32 (the metric is a float32 tensor there), the check runs at
 * {@code on_train_epoch_end} or at {@code on_validation_end} (see {@link Builder#checkOnTrainEpochEnd(boolean)}),
 * never during the sanity check, outside fit, or with {@code fastDevRun}, and stopping asks the Trainer to stop
 * (which still honours {@code minEpochs}). The callback is {@linkplain #isMonitoring() monitoring}, so at an
 * epoch's end it runs after the module's {@code onTrainEpochEnd} and sees what was logged there.
 *
 * <p>Logging: the reason for stopping is always logged at INFO (Lightning logs it only with {@code verbose}); with
 * {@code verbose} the improvement messages and a missing non-strict metric are logged too. The state
 * ({@code wait_count}, {@code stopped_epoch}, {@code best_score}, {@code patience}, {@code stopping_reason},
 * {@code stopping_reason_message}) is in {@link #stateDict()} under Lightning's key
 * {@code EarlyStopping{'monitor': 'val_loss', 'mode': 'min'}}.
 */
public final class EarlyStopping implements Callback {

    private static final Logger LOG = LogManager.getLogger(EarlyStopping.class);

    private final String monitor;
    private final double minDelta;
    private final boolean verbose;
    private final String mode;
    private final boolean strict;
    private final boolean checkFinite;
    private final OptionalDouble stoppingThreshold;
    private final OptionalDouble divergenceThreshold;
    private Optional<Boolean> checkOnTrainEpochEnd;

    private int patience;
    private int waitCount;
    private int stoppedEpoch;
    private float bestScore;
    private EarlyStoppingReason stoppingReason = EarlyStoppingReason.NOT_STOPPED;
    private Optional<String> stoppingReasonMessage = Optional.empty();

    /** Lightning's defaults for {@code monitor}: min mode, patience 3, no delta, strict, finite check. */
    public EarlyStopping(String monitor) {
        this(builder(monitor));
    }

    private EarlyStopping(Builder b) {
        this.monitor = b.monitor;
        this.minDelta = b.minDelta;
        this.patience = b.patience;
        this.verbose = b.verbose;
        this.mode = b.mode;
        this.strict = b.strict;
        this.checkFinite = b.checkFinite;
        this.stoppingThreshold = b.stoppingThreshold;
        this.divergenceThreshold = b.divergenceThreshold;
        this.checkOnTrainEpochEnd = b.checkOnTrainEpochEnd;
        this.bestScore = minMode() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
    }

    /** A builder for monitoring {@code monitor}, the name of a logged metric. */
    public static Builder builder(String monitor) {
        return new Builder(monitor);
    }

    // ---------------------------------------------------------------- state read by users and tests

    public String monitor() {
        return monitor;
    }

    /** "min" or "max". */
    public String mode() {
        return mode;
    }

    public int patience() {
        return patience;
    }

    /** The minimum improvement as given (non-negative in the usual case); its sign is applied by mode internally. */
    public double minDelta() {
        return minDelta;
    }

    /** Checks in a row without improvement. Lightning: {@code wait_count}. */
    public int waitCount() {
        return waitCount;
    }

    /** The epoch at which this callback asked to stop; 0 if it did not. Lightning: {@code stopped_epoch}. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The best value seen ({@code inf} in min mode, {@code -inf} in max mode before the first check). */
    public double bestScore() {
        return bestScore;
    }

    public EarlyStoppingReason stoppingReason() {
        return stoppingReason;
    }

    /** The message explaining why training stopped; empty when it did not. */
    public Optional<String> stoppingReasonMessage() {
        return stoppingReasonMessage;
    }

    /** Where the check runs; empty until the first fit resolves Lightning's automatic choice. */
    public Optional<Boolean> checkOnTrainEpochEnd() {
        return checkOnTrainEpochEnd;
    }

    // ---------------------------------------------------------------- hooks

    @Override
    public boolean isMonitoring() {
        return true;
    }

    @Override
    public void setup(Trainer trainer, LightningModule module, String stage) {
        if (checkOnTrainEpochEnd.isEmpty()) {
            // validation more than once per epoch, or not every epoch: check after validation instead
            TrainerConfig c = trainer.config();
            boolean everyWholeEpoch = (c.valCheckFraction().isPresent() && c.valCheckFraction().getAsDouble() == 1.0
                    || c.valCheckBatches().isPresent() && c.valCheckBatches().getAsInt() == 1)
                    && c.checkValEveryNEpoch().isPresent() && c.checkValEveryNEpoch().getAsInt() == 1;
            checkOnTrainEpochEnd = Optional.of(everyWholeEpoch);
        }
    }

    @Override
    public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
        if (!checkOnTrainEpochEnd.orElse(false) || shouldSkipCheck(trainer)) {
            return;
        }
        runEarlyStoppingCheck(trainer);
    }

    @Override
    public void onValidationEnd(Trainer trainer, LightningModule module) {
        if (checkOnTrainEpochEnd.orElse(false) || shouldSkipCheck(trainer)) {
            return;
        }
        runEarlyStoppingCheck(trainer);
    }

    private static boolean shouldSkipCheck(Trainer trainer) {
        return !"fit".equals(trainer.stage()) || trainer.sanityChecking();
    }

    private void runEarlyStoppingCheck(Trainer trainer) {
        Map<String, Double> logs = trainer.callbackMetrics();
        if (trainer.config().fastDevRun() > 0 || !validateConditionMetric(logs)) {
            return;
        }
        float current = logs.get(monitor).floatValue();
        Decision d = evaluateStoppingCriteria(current);
        trainer.shouldStop(trainer.shouldStop() || d.stop);
        if (d.stop) {
            stoppedEpoch = trainer.currentEpoch();
            stoppingReasonMessage = d.reason;
            d.reason.ifPresent(LOG::info);
        } else if (verbose) {
            d.reason.ifPresent(LOG::info);
        }
    }

    private boolean validateConditionMetric(Map<String, Double> logs) {
        if (logs.containsKey(monitor)) {
            return true;
        }
        String message = "Early stopping conditioned on metric `" + monitor + "` which is not available. Pass in or"
                + " modify your `EarlyStopping` callback to use any of the following: `"
                + logs.keySet().stream().collect(Collectors.joining("`, `")) + "`";
        if (strict) {
            throw new MisconfigurationException(message);
        }
        if (verbose) {
            LOG.warn(message);
        }
        return false;
    }

    private record Decision(boolean stop, Optional<String> reason) {
    }

    /** Lightning's {@code _evaluate_stopping_criteria}, in float32 like its tensors. */
    private Decision evaluateStoppingCriteria(float current) {
        String order = minMode() ? "<" : ">";
        if (checkFinite && !Float.isFinite(current)) {
            stoppingReason = EarlyStoppingReason.NON_FINITE_METRIC;
            return new Decision(true, Optional.of("Monitored metric " + monitor + " = " + PyText.float32(current)
                    + " is not finite. Previous best value was " + PyText.fixed(bestScore, 3)
                    + ". Signaling Trainer to stop."));
        }
        if (stoppingThreshold.isPresent() && better(current, (float) stoppingThreshold.getAsDouble())) {
            stoppingReason = EarlyStoppingReason.STOPPING_THRESHOLD;
            return new Decision(true, Optional.of("Stopping threshold reached: " + monitor + " = "
                    + PyText.float32(current) + " " + order + " " + PythonFormat.str(stoppingThreshold.getAsDouble())
                    + ". Signaling Trainer to stop."));
        }
        if (divergenceThreshold.isPresent() && better(-current, -(float) divergenceThreshold.getAsDouble())) {
            stoppingReason = EarlyStoppingReason.DIVERGENCE_THRESHOLD;
            return new Decision(true, Optional.of("Divergence threshold reached: " + monitor + " = "
                    + PyText.float32(current) + " " + order + " " + PythonFormat.str(divergenceThreshold.getAsDouble())
                    + ". Signaling Trainer to stop."));
        }
        // Lightning flips min_delta's sign in min mode, so the test is always `current - signed_delta op best`
        float signedDelta = (float) (minMode() ? -minDelta : minDelta);
        if (better(current - signedDelta, bestScore)) {
            String message = Float.isFinite(bestScore)
                    ? "Metric " + monitor + " improved by " + PyText.fixed(Math.abs(bestScore - current), 3)
                            + " >= min_delta = " + PythonFormat.str(Math.abs(minDelta)) + ". New best score: "
                            + PyText.fixed(current, 3)
                    : "Metric " + monitor + " improved. New best score: " + PyText.fixed(current, 3);
            bestScore = current;
            waitCount = 0;
            return new Decision(false, Optional.of(message));
        }
        waitCount++;
        if (waitCount >= patience) {
            stoppingReason = EarlyStoppingReason.PATIENCE_EXHAUSTED;
            return new Decision(true, Optional.of("Monitored metric " + monitor + " did not improve in the last "
                    + waitCount + " records. Best score: " + PyText.fixed(bestScore, 3)
                    + ". Signaling Trainer to stop."));
        }
        return new Decision(false, Optional.empty());
    }

    private boolean minMode() {
        return "min".equals(mode);
    }

    /** Lightning's {@code monitor_op}: {@code torch.lt} in min mode, {@code torch.gt} in max mode. */
    private boolean better(float a, float b) {
        return minMode() ? a < b : a > b;
    }

    // ---------------------------------------------------------------- state

    /** Lightning's {@code _generate_state_key(monitor=..., mode=...)}. */
    @Override
    public String stateKey() {
        return "EarlyStopping{'monitor': " + PyText.repr(monitor) + ", 'mode': " + PyText.repr(mode) + "}";
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("wait_count", waitCount);
        state.put("stopped_epoch", stoppedEpoch);
        state.put("best_score", StateDicts.number(bestScore));
        state.put("patience", patience);
        state.put("stopping_reason", stoppingReason.value());
        // Python's None has no place in a Java map; an absent key reads back as no message
        stoppingReasonMessage.ifPresent(m -> state.put("stopping_reason_message", m));
        return state;
    }

    /**
     * Restores {@link #stateDict()}'s data. As in Lightning, the four original keys are required and the reason keys
     * are optional (older states lack them: the reason is then {@code not_stopped}, with no message).
     *
     * @throws IllegalArgumentException naming a missing or mistyped key
     */
    @Override
    public void loadStateDict(Map<String, Object> state) {
        StateDicts.Reader r = StateDicts.reader("EarlyStopping", state);
        int wait = r.integer("wait_count").orElseThrow(() -> missing("wait_count"));
        int stopped = r.integer("stopped_epoch").orElseThrow(() -> missing("stopped_epoch"));
        double best = r.number("best_score").orElseThrow(() -> missing("best_score"));
        int pat = r.integer("patience").orElseThrow(() -> missing("patience"));
        EarlyStoppingReason reason = r.string("stopping_reason").map(EarlyStoppingReason::fromValue)
                .orElse(EarlyStoppingReason.NOT_STOPPED);
        Optional<String> message = r.string("stopping_reason_message");
        waitCount = wait;
        stoppedEpoch = stopped;
        bestScore = (float) best;
        patience = pat;
        stoppingReason = reason;
        stoppingReasonMessage = message;
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException("EarlyStopping state dict has no '" + key + "'; expected the keys"
                + " wait_count, stopped_epoch, best_score, patience (and optionally stopping_reason,"
                + " stopping_reason_message)");
    }

    @Override
    public String toString() {
        return stateKey();
    }

    /** Builder with Lightning's argument names and defaults. */
    public static final class Builder {
        private final String monitor;
        private double minDelta = 0.0;
        private int patience = 3;
        private boolean verbose;
        private String mode = "min";
        private boolean strict = true;
        private boolean checkFinite = true;
        private OptionalDouble stoppingThreshold = OptionalDouble.empty();
        private OptionalDouble divergenceThreshold = OptionalDouble.empty();
        private Optional<Boolean> checkOnTrainEpochEnd = Optional.empty();

        private Builder(String monitor) {
            if (monitor == null || monitor.isEmpty()) {
                throw new MisconfigurationException("EarlyStopping needs the name of a logged metric as `monitor`,"
                        + " got " + (monitor == null ? "null" : "''"));
            }
            this.monitor = monitor;
        }

        /**
         * The least change that counts as an improvement (default 0): a change of {@code minDelta} or less is none.
         */
        public Builder minDelta(double minDelta) {
            if (!Double.isFinite(minDelta)) {
                throw new MisconfigurationException("EarlyStopping `min_delta` must be a finite number, got "
                        + minDelta);
            }
            this.minDelta = minDelta;
            return this;
        }

        /** Checks without improvement after which training stops (default 3). */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new MisconfigurationException("EarlyStopping `patience` must be >= 0, got " + patience);
            }
            this.patience = patience;
            return this;
        }

        /** Logs every improvement and a missing non-strict metric (default false). */
        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /** "min" (default: lower is better) or "max". */
        public Builder mode(String mode) {
            if (!"min".equals(mode) && !"max".equals(mode)) {
                throw new MisconfigurationException("`mode` can be min, max, got " + mode);
            }
            this.mode = mode;
            return this;
        }

        /** Whether a missing monitored metric is an error (default true) or skips the check. */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** Whether a NaN or infinite value stops training (default true). */
        public Builder checkFinite(boolean checkFinite) {
            this.checkFinite = checkFinite;
            return this;
        }

        /** Stop as soon as the value is better than this (below it in min mode, above it in max mode). */
        public Builder stoppingThreshold(double threshold) {
            if (Double.isNaN(threshold)) {
                throw new MisconfigurationException("EarlyStopping `stopping_threshold` must be a number, got NaN");
            }
            this.stoppingThreshold = OptionalDouble.of(threshold);
            return this;
        }

        /** Stop as soon as the value is worse than this (above it in min mode, below it in max mode). */
        public Builder divergenceThreshold(double threshold) {
            if (Double.isNaN(threshold)) {
                throw new MisconfigurationException("EarlyStopping `divergence_threshold` must be a number, got NaN");
            }
            this.divergenceThreshold = OptionalDouble.of(threshold);
            return this;
        }

        /**
         * Check at the end of each training epoch ({@code true}) or after each validation ({@code false}). Not
         * calling this is Lightning's {@code None}: at fit setup it becomes {@code true} when validation runs once
         * per epoch, every epoch ({@code valCheckInterval == 1.0} and {@code checkValEveryNEpoch == 1}).
         */
        public Builder checkOnTrainEpochEnd(boolean check) {
            this.checkOnTrainEpochEnd = Optional.of(check);
            return this;
        }

        public EarlyStopping build() {
            return new EarlyStopping(this);
        }
    }
}
