package dev.jlightning.trainer;

import dev.jlightning.logging.Logger;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a logger is on a rank other than 0: the same name, version and directory as rank 0's, and no output.
 *
 * <p>Lightning's loggers write through {@code @rank_zero_only} methods while {@code version} and {@code log_dir}
 * stay readable everywhere, so that callbacks on every rank resolve the same paths (e.g. ModelCheckpoint's
 * {@code <log_dir>/checkpoints}). Rank 0 decides the version, which depends on the directories present when it
 * looks, and broadcasts it; a rank that computed its own could see rank 0's new directory and pick the next one.
 */
final class RankZeroOnlyLogger implements Logger {

    private final String name;
    private final String version;
    private final Path logDir;

    RankZeroOnlyLogger(String name, String version, Path logDir) {
        this.name = name;
        this.version = version;
        this.logDir = logDir;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
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

    @Override
    public void save() {
    }

    @Override
    public void finish(String status) {
    }
}
