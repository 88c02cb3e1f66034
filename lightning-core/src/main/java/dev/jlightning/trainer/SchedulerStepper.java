package dev.jlightning.trainer;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.core.internal.PythonRepr;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Steps the schedulers of automatic optimization exactly when Lightning does.
 *
 * <p>Counterpart of {@code _TrainingEpochLoop.update_lr_schedulers} / {@code _update_learning_rates}: a config is
 * considered for its interval only; it steps when {@code (counter + 1) % frequency == 0}, where the counter is the
 * batch index within the epoch for {@code "step"} and the epoch index for {@code "epoch"} (so {@code frequency} counts
 * batches, not optimizer steps). Plateau schedulers are fed their monitored value from the callback metrics; a
 * missing value fails (strict) or skips with a warning. Unlike Lightning, feeding a value that has not been
 * updated since the scheduler's previous step warns once, because it silently counts as a bad epoch.
 */
final class SchedulerStepper {

    private static final Logger LOG = LogManager.getLogger(SchedulerStepper.class);

    private final Set<String> staleWarned = new HashSet<>();
    private final java.util.Map<LRSchedulerConfig, Long> lastFedVersion = new java.util.IdentityHashMap<>();
    private dev.jlightning.strategy.Strategy strategy = null;

    /**
     * Under DDP every rank feeds its plateau schedulers rank 0's value, so their learning rates cannot drift apart
     * when the monitored metric was logged without {@code syncDist} (Lightning steps each rank with its own value).
     */
    void agreeWith(dev.jlightning.strategy.Strategy strategy) {
        this.strategy = strategy.worldSize() > 1 ? strategy : null;
    }

    /**
     * @param counter {@code batchIdx} for the step interval, {@code currentEpoch} for the epoch interval
     * @param metrics the callback metrics
     * @param versions how many times each callback metric has been written, to detect stale values
     */
    void step(List<LRSchedulerConfig> configs, Interval interval, boolean plateau, int counter,
            LightningModule module, Map<String, Double> metrics, MetricVersions versions) {
        // indexed: this runs up to three times per batch and should not allocate an iterator each time
        for (int i = 0; i < configs.size(); i++) {
            LRSchedulerConfig config = configs.get(i);
            if (config.interval() != interval || config.reduceOnPlateau() != plateau) {
                continue;
            }
            if ((counter + 1) % config.frequency() != 0) {
                continue;
            }
            OptionalDouble metric = OptionalDouble.empty();
            if (plateau) {
                String key = config.monitor().orElseThrow();
                Double value = metrics.get(key);
                if (value == null) {
                    if (config.strict()) {
                        throw new MisconfigurationException("ReduceLROnPlateau conditioned on metric " + key
                                + " which is not available. Available metrics are: "
                                + PythonRepr.list(metrics.keySet())
                                + ". Condition can be set using `monitor` key in lr scheduler dict");
                    }
                    LOG.warn("ReduceLROnPlateau conditioned on metric {} which is not available but strict is set"
                            + " to `False`. Skipping learning rate update.", key);
                    continue;
                }
                long version = versions.get(key);
                Long previous = lastFedVersion.put(config, version);
                if (previous != null && previous == version && staleWarned.add(key)) {
                    LOG.warn("{} is fed '{}' = {}, which has not been updated since its previous step (e.g."
                            + " validation runs less often than the scheduler steps); the repeated value counts as"
                            + " an epoch without improvement.", config.scheduler().getClass().getSimpleName(), key,
                            value);
                }
                double fed = strategy == null ? value : strategy.broadcast(new double[] {value})[0];
                metric = OptionalDouble.of(fed);
            }
            module.lrSchedulerStep(config.scheduler(), metric);
        }
    }
}
