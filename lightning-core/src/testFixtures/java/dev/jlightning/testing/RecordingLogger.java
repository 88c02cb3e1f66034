package dev.jlightning.testing;

import dev.jlightning.logging.Logger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An in-memory logger that records every {@code logMetrics} call, as Lightning's tests mock {@code log_metrics}. */
public class RecordingLogger implements Logger {

    /** One {@code logMetrics} call. */
    public record Call(Map<String, Number> metrics, long step) {
        @Override
        public String toString() {
            return step + ":" + metrics;
        }
    }

    private final Path dir;
    private final List<Call> calls = new ArrayList<>();
    private int saves;

    public RecordingLogger(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public String version() {
        return "0";
    }

    @Override
    public Path logDir() {
        return dir;
    }

    @Override
    public void logMetrics(Map<String, ? extends Number> metrics, long step) {
        calls.add(new Call(new LinkedHashMap<>(metrics), step));
    }

    @Override
    public void logHyperparams(Map<String, ?> params) {
    }

    @Override
    public void save() {
        saves++;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public int saves() {
        return saves;
    }
}
