package dev.jlightning.logging;

import java.nio.file.Path;
import java.util.Map;

/**
 * An experiment logger: where the metrics and hyperparameters of a run go.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.loggers.Logger}. The Trainer (and callbacks such as
 * {@code LearningRateMonitor}) call {@link #logMetrics(Map, long)} with the logger step counter, then
 * {@link #save()}; {@link #finish(String)} closes the run. Values keep their Python type when written:
 * an {@link Integer} or {@link Long} is an int ({@code 0}), any other {@link Number} a float ({@code 0.0}).
 */
public interface Logger {

    /** The experiment name, Lightning's {@code name} ("lightning_logs" by default). */
    String name();

    /** The version, e.g. {@code "version_0"}'s number as text, or a user-given string version. */
    String version();

    /** The run's directory, {@code <save_dir>/<name>/version_<n>} in Lightning's layout. */
    Path logDir();

    /**
     * Records metric values at a step. Lightning: {@code log_metrics(metrics, step)}.
     *
     * @param metrics metric name to value, in the order they should be recorded
     * @param step the logger step counter (Lightning's {@code _batches_that_stepped})
     */
    void logMetrics(Map<String, ? extends Number> metrics, long step);

    /** Records the run's hyperparameters. Lightning: {@code log_hyperparams(params)}. */
    void logHyperparams(Map<String, ?> params);

    /** Persists whatever is buffered. Lightning: {@code save()}. */
    default void save() {
    }

    /**
     * Ends the run, flushing everything. Lightning: {@code finalize(status)}; renamed because
     * {@code finalize} is a method of {@link Object}.
     *
     * @param status "success", "failed" or "interrupted"
     */
    default void finish(String status) {
        save();
    }
}
