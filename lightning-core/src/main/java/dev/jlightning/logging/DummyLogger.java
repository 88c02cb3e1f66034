package dev.jlightning.logging;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A logger that records nothing: it stands in for the configured loggers during {@code fastDevRun}, so that code
 * asking "is there a logger?" (LearningRateMonitor) behaves as in a real run while no file is written.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.loggers.logger.DummyLogger}, which {@code fast_dev_run}
 * puts in place of the user's loggers.
 */
public final class DummyLogger implements Logger {

    private final Path logDir;

    /** @param logDir what {@link #logDir()} reports (the Trainer's default root directory) */
    public DummyLogger(Path logDir) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
    }

    @Override
    public String name() {
        return "";
    }

    @Override
    public String version() {
        return "";
    }

    @Override
    public Path logDir() {
        return logDir;
    }

    @Override
    public void logMetrics(Map<String, ? extends Number> metrics, long step) {
    }

    @Override
    public void logHyperparams(Map<String, ?> params) {
    }
}
