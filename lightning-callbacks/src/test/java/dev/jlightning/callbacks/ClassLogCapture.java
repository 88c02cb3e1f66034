package dev.jlightning.callbacks;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects what one class logs (INFO and above) while open. */
final class ClassLogCapture implements AutoCloseable {

    private final List<String> messages = new ArrayList<>();
    private final LoggerContext context;
    private final String loggerName;
    private final Appender appender;

    private final class Appender extends AbstractAppender {
        Appender() {
            super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            synchronized (messages) {
                messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        }
    }

    ClassLogCapture(Class<?> source) {
        this.context = (LoggerContext) LogManager.getContext(false);
        this.loggerName = source.getName();
        this.appender = new Appender();
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig own = new LoggerConfig(loggerName, Level.INFO, false);
        own.addAppender(appender, Level.INFO, null);
        config.addLogger(loggerName, own);
        context.updateLoggers();
    }

    /** Every captured line as "LEVEL message". */
    List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(loggerName);
        context.updateLoggers();
        appender.stop();
    }
}
