package dev.jlightning.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultLoggingConfigurationFactoryTest {
    private final DefaultLoggingConfigurationFactory factory = new DefaultLoggingConfigurationFactory();

    @Test
    void stepsAsideForTheApplicationsOwnLog4j2File(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("log4j2.xml"), "<Configuration/>");
        try (URLClassLoader app = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertTrue(DefaultLoggingConfigurationFactory.hasUserConfiguration(app, null));
        }
        // this module's tests have src/test/resources/log4j2-test.xml, which must win as well
        assertTrue(DefaultLoggingConfigurationFactory.hasUserConfiguration(getClass().getClassLoader(), null));
        assertNull(factory.getConfiguration(new LoggerContext("t"), "t", null));
    }

    @Test
    void supplyJLightningInfoAndEveryonesWarningsWhenThereIsNoFile(@TempDir Path dir) throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertFalse(DefaultLoggingConfigurationFactory.hasUserConfiguration(empty, "ctx"));
        }
        // the default file itself parses and sets the levels the README promises
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader onlyDefault = new URLClassLoader(new URL[0], null) {
            @Override
            public URL getResource(String name) {
                return name.equals(DefaultLoggingConfigurationFactory.DEFAULT_CONFIGURATION)
                        ? previous.getResource(name) : null;
            }
        }) {
            Thread.currentThread().setContextClassLoader(onlyDefault);
            Configuration config = factory.getConfiguration(new LoggerContext("t"), "t", null);
            assertNotNull(config);
            config.initialize();
            assertEquals(Level.INFO, config.getLoggerConfig("dev.jlightning.callbacks.ModelSummary").getLevel());
            assertEquals(Level.WARN, config.getLoggerConfig("org.example.Other").getLevel());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
