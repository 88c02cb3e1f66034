package dev.jlightning.core.internal;

import java.net.URI;
import java.net.URL;
import java.util.List;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.Order;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;

/**
 * Gives an application that has no logging configuration of its own the console output a Lightning user expects:
 * the fit's info lines (model summary, "Restored all states from the checkpoint") and every warning, as Lightning's
 * {@code lightning.pytorch} logger and Python's {@code warnings} show them by default. Without it log4j-core falls
 * back to its {@code DefaultConfiguration}, which logs errors only, and a warning such as "there is no last
 * checkpoint available" would vanish.
 *
 * <p>Log4j asks factories that accept every file type ({@code "*"}) before it searches the class path for
 * {@code log4j2-test.*} and {@code log4j2.*}, so this factory looks for those files itself and steps aside when it
 * finds one: a user's configuration always wins, as does {@code -Dlog4j2.configurationFile}, which Log4j honours
 * before asking any factory. Otherwise it loads {@value #DEFAULT_CONFIGURATION} from this jar: {@code dev.jlightning}
 * at INFO, everything else at WARN, on standard error like Python's logging.
 *
 * <p>Not public API: it is public only because Log4j's plugin system instantiates it.
 */
@Plugin(name = "JLightningDefaultConfigurationFactory", category = ConfigurationFactory.CATEGORY)
@Order(0)
public final class DefaultLoggingConfigurationFactory extends ConfigurationFactory {

    /** The class-path resource used when the application has no Log4j configuration. */
    public static final String DEFAULT_CONFIGURATION = "dev/jlightning/core/internal/log4j2-jlightning-default.xml";

    // The names log4j-core's own factories look for (properties, YAML, JSON, XML), test configurations first.
    private static final List<String> PREFIXES = List.of("log4j2-test", "log4j2");
    private static final List<String> SUFFIXES = List.of(".properties", ".yaml", ".yml", ".json", ".jsn", ".xml");

    /** Creates the factory; Log4j calls this through its plugin registry. */
    public DefaultLoggingConfigurationFactory() {
    }

    @Override
    protected String[] getSupportedTypes() {
        // "*" is log4j-core's private ALL_TYPES: only such factories are asked when no file has been named
        return new String[] {"*"};
    }

    @Override
    public Configuration getConfiguration(LoggerContext loggerContext, ConfigurationSource source) {
        // A concrete file is for log4j-core's own factories to read.
        return null;
    }

    @Override
    public Configuration getConfiguration(LoggerContext loggerContext, String name, URI configLocation) {
        if (configLocation != null) {
            return null;
        }
        ClassLoader loader = classLoader();
        if (hasUserConfiguration(loader, name)) {
            return null;
        }
        URL url = loader.getResource(DEFAULT_CONFIGURATION);
        if (url == null) {
            return null;
        }
        ConfigurationSource source = ConfigurationSource.fromResource(DEFAULT_CONFIGURATION, loader);
        return source == null ? null : new XmlConfiguration(loggerContext, source);
    }

    /** Whether the class path holds a Log4j configuration file that log4j-core would pick up by itself. */
    static boolean hasUserConfiguration(ClassLoader loader, String contextName) {
        for (String prefix : PREFIXES) {
            for (String suffix : SUFFIXES) {
                if (contextName != null && loader.getResource(prefix + contextName + suffix) != null) {
                    return true;
                }
                if (loader.getResource(prefix + suffix) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : DefaultLoggingConfigurationFactory.class.getClassLoader();
    }
}
