package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CSVLoggerTest {

    @TempDir
    Path dir;

    private static Map<String, Number> row(Object... kv) {
        Map<String, Number> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Number) kv[i + 1]);
        }
        return m;
    }

    @Test
    void writesLightningsLayoutAndNextFreeVersion() throws Exception {
        CSVLogger first = CSVLogger.of(dir);
        first.logMetrics(row("loss", 0.5), 0);
        first.save();
        assertEquals(dir.resolve("lightning_logs/version_0"), first.logDir());
        assertEquals("0", first.version());
        assertTrue(Files.exists(dir.resolve("lightning_logs/version_0/metrics.csv")));
        assertEquals("{}\n", Files.readString(dir.resolve("lightning_logs/version_0/hparams.yaml")));

        Files.createDirectories(dir.resolve("lightning_logs/version_7"));
        CSVLogger next = CSVLogger.of(dir);
        assertEquals(dir.resolve("lightning_logs/version_8"), next.logDir());

        CSVLogger named = CSVLogger.builder(dir).name("").version("run-a").build();
        assertEquals(dir.resolve("run-a"), named.logDir());
    }

    @Test
    void sortedHeaderCrlfAndRewriteWhenNewColumnsAppear() throws Exception {
        CSVLogger logger = CSVLogger.builder(dir).version(0).build();
        logger.logMetrics(row("train_loss", 1.65, "epoch", 0), 0);
        logger.save();
        logger.logMetrics(row("lr-SGD", 0.1), 1);
        logger.logMetrics(row("val_loss", 1e-05, "epoch", 0), 1);
        logger.save();
        String csv = Files.readString(logger.logDir().resolve("metrics.csv"), StandardCharsets.UTF_8);
        assertEquals("epoch,lr-SGD,step,train_loss,val_loss\r\n"
                + "0,,0,1.65,\r\n"
                + ",0.1,1,,\r\n"
                + "0,,1,,1e-05\r\n", csv);
    }

    @Test
    void flushesEveryNStepsAndWritesSortedHparams() throws Exception {
        CSVLogger logger = CSVLogger.builder(dir).version(0).flushLogsEveryNSteps(2).build();
        logger.logHyperparams(Map.of("lr", 0.1, "gamma", 0.5, "step_size", 2));
        logger.logMetrics(row("a", 1), 0);
        Path csv = logger.logDir().resolve("metrics.csv");
        assertFalse(Files.exists(csv));
        logger.logMetrics(row("a", 2), 1);
        assertEquals("a,step\r\n1,0\r\n2,1\r\n", Files.readString(csv));
        assertEquals("gamma: 0.5\nlr: 0.1\nstep_size: 2\n", Files.readString(logger.logDir().resolve("hparams.yaml")));
    }

    @Test
    void prefixIsJoinedWithADashAndExistingMetricsFileIsReplaced() throws Exception {
        Path logDir = dir.resolve("lightning_logs/version_3");
        Files.createDirectories(logDir);
        Files.writeString(logDir.resolve("metrics.csv"), "old\r\n");
        CSVLogger logger = CSVLogger.builder(dir).version(3).prefix("train").build();
        logger.logMetrics(row("loss", 0.25), 4);
        logger.finish("success");
        assertEquals("step,train-loss\r\n4,0.25\r\n", Files.readString(logDir.resolve("metrics.csv")));
    }
}
