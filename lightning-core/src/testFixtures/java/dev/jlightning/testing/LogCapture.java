package dev.jlightning.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the warnings JLightning logs while it is open, so tests can assert on them the way Lightning's tests use
 * {@code pytest.warns}. Open it with try-with-resources around the code under test.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> warnings = new ArrayList<>();

    private LogCapture() {
        super("LogCapture", null, null, true, Property.EMPTY_ARRAY);
    }

    /** Starts capturing WARN (and more severe) events from every logger. */
    public static LogCapture capture() {
        LogCapture capture = new LogCapture();
        capture.open();
        return capture;
    }

    private void open() {
        super.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.getRootLogger().addAppender(this, Level.WARN, null);
        ctx.updateLoggers();
    }

    @Override
    public synchronized void append(LogEvent event) {
        warnings.add(event.getMessage().getFormattedMessage());
    }

    /** Every captured message, in order. */
    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The captured messages that contain {@code fragment}. */
    public synchronized List<String> matching(String fragment) {
        return warnings.stream().filter(w -> w.contains(fragment)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
