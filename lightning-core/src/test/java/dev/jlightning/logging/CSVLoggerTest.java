package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.MetricsCsv;
import dev.jlightning.testing.Mlp;
import dev.jlightning.testing.Data;
import dev.jlightning.trainer.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CSV logger's layout and file format, and Lightning's {@code tests_pytorch/loggers/test_csv.py} and
 * {@code tests_fabric/loggers/test_csv.py} ported one by one (the fabric duplicates of the pytorch tests run the same
 * writer here, so only the fabric-only tests are ported a second time).
 */
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

    // ------------------------------------------------------------ tests_pytorch/loggers/test_csv.py

    private static List<String> lines(Path file) throws Exception {
        return Arrays.asList(Files.readString(file).split("\r\n"));
    }

    @Test
    void automaticVersioning() throws Exception {
        for (String d : List.of("version_0", "version_1", "version_nonumber", "other")) {
            Files.createDirectories(dir.resolve("exp").resolve(d));
        }
        assertEquals("2", CSVLogger.builder(dir).name("exp").build().version());
    }

    @Test
    void manualVersioning() throws Exception {
        for (String d : List.of("version_0", "version_1", "version_2")) {
            Files.createDirectories(dir.resolve("exp").resolve(d));
        }
        assertEquals("1", CSVLogger.builder(dir).name("exp").version(1).build().version());
    }

    @Test
    void manualVersioningFileExists() throws Exception {
        Path old = dir.resolve("exp/version_0/metrics.csv");
        Files.createDirectories(old.getParent());
        Files.writeString(old, "a,step\r\n1,0\r\n");
        CSVLogger logger = CSVLogger.builder(dir).name("exp").version(0).build();
        try (LogCapture log = LogCapture.capture()) {
            logger.logDir();
            assertEquals(1, log.warnings().stream()
                    .filter(w -> w.matches("Experiment logs directory .* exists and is not empty.*")).count(),
                    log.warnings().toString());
        }
        assertFalse(Files.exists(old));
    }

    @Test
    void namedVersion() throws Exception {
        String version = "2020-02-05-162402";
        CSVLogger logger = CSVLogger.builder(dir).name("exp").version(version).build();
        logger.logHyperparams(Map.of("a", 1, "b", 2));
        logger.save();
        assertEquals(version, logger.version());
        try (Stream<Path> entries = Files.list(dir.resolve("exp"))) {
            assertEquals(List.of(version), entries.map(p -> p.getFileName().toString()).toList());
        }
        try (Stream<Path> files = Files.list(dir.resolve("exp").resolve(version))) {
            assertTrue(files.findAny().isPresent());
        }
    }

    @Test
    void noName() throws Exception {
        CSVLogger logger = CSVLogger.builder(dir).name("").build();
        logger.save();
        assertEquals(dir, logger.rootDir());
        try (Stream<Path> files = Files.list(dir.resolve("version_0"))) {
            assertTrue(files.findAny().isPresent());
        }
    }

    /** Lightning's step=None is the step-less overload here. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void logMetrics(boolean withStep) throws Exception {
        CSVLogger logger = CSVLogger.of(dir);
        // a float, an int, a float32 tensor's .item() and an int tensor's .item()
        Map<String, Number> metrics = row("float", 0.3, "int", 1, "FloatTensor", (double) 0.1f, "IntTensor", 1L);
        if (withStep) {
            logger.logMetrics(metrics, 10);
        } else {
            logger.logMetrics(metrics);
        }
        logger.save();
        List<String> lines = lines(logger.logDir().resolve("metrics.csv"));
        assertEquals(2, lines.size());
        assertTrue(Arrays.asList(lines.get(0).split(",")).containsAll(metrics.keySet()));
        assertEquals("FloatTensor,IntTensor,float,int,step", lines.get(0));
        assertEquals("0.10000000149011612,1,0.3,1," + (withStep ? "10" : "0"), lines.get(1));
    }

    @Test
    void logHyperparams() throws Exception {
        CSVLogger logger = CSVLogger.of(dir);
        Map<String, Object> hparams = new LinkedHashMap<>();
        hparams.put("float", 0.3);
        hparams.put("int", 1);
        hparams.put("string", "abc");
        hparams.put("bool", true);
        hparams.put("dict", Map.of("a", Map.of("b", "c")));
        hparams.put("list", List.of(1, 2, 3));
        hparams.put("layer", org.bytedeco.pytorch.BatchNorm1dImpl.class);
        logger.logHyperparams(hparams);
        logger.save();
        Map<String, Object> read = HparamsYaml.read(logger.logDir().resolve("hparams.yaml"));
        assertTrue(read.keySet().containsAll(hparams.keySet()), read.toString());
        assertEquals(Map.of("a", Map.of("b", "c")), read.get("dict"));
        assertEquals(List.of(1, 2, 3), read.get("list"));
    }

    @Test
    void fitCsvLogger() {
        CSVLogger logger = CSVLogger.of(dir);
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").maxSteps(10).logEveryNSteps(1).logger(logger).build()
                .fit(new Mlp(4, 8, 0.1), Data.loader(100, 4, 5));
        assertTrue(Files.isRegularFile(logger.logDir().resolve("metrics.csv")));
    }

    @Test
    void flushNSteps() throws Exception {
        CSVLogger logger = CSVLogger.builder(dir).flushLogsEveryNSteps(2).build();
        Path csv = logger.logDir().resolve("metrics.csv");
        logger.logMetrics(row("test", 1), 0);
        assertFalse(Files.exists(csv));
        logger.logMetrics(row("test", 1), 1);
        assertEquals(List.of("step,test", "0,1", "1,1"), lines(csv));
    }

    @Test
    void metricsResetAfterSave() {
        CSVLogger logger = CSVLogger.builder(dir).flushLogsEveryNSteps(2).build();
        logger.logMetrics(row("test", 1), 0);
        assertFalse(logger.bufferedRows().isEmpty());
        logger.logMetrics(row("test", 1), 1);
        assertTrue(logger.bufferedRows().isEmpty());
    }

    @Test
    void appendMetricsFile() throws Exception {
        CSVLogger first = CSVLogger.builder(dir).name("name").version(0).flushLogsEveryNSteps(1)
                .appendToExistingLogDir().build();
        first.logMetrics(row("a", 1), 0);
        first.logMetrics(row("a", 1), 1);
        CSVLogger second = CSVLogger.builder(dir).name("name").version(0).flushLogsEveryNSteps(1)
                .appendToExistingLogDir().build();
        second.logMetrics(row("a", 1), 0);
        assertEquals(List.of("a,step", "1,0", "1,1", "1,0"), lines(second.logDir().resolve("metrics.csv")));
    }

    @Test
    void appendColumns() throws Exception {
        CSVLogger logger = CSVLogger.builder(dir).flushLogsEveryNSteps(1).build();
        Path csv = logger.logDir().resolve("metrics.csv");
        logger.logMetrics(row("a", 1, "b", 2), 0);
        logger.logMetrics(row("a", 1, "b", 2, "c", 3), 1);
        assertEquals(Set.of("step", "a", "b", "c"), new HashSet<>(Arrays.asList(lines(csv).get(0).split(","))));
        logger.logMetrics(row("a", 1, "c", 3), 2);
        assertEquals(Set.of("step", "a", "b", "c"), new HashSet<>(Arrays.asList(lines(csv).get(0).split(","))));
        assertEquals(List.of("a,b,c,step", "1,2,,0", "1,2,3,1", "1,,3,2"), lines(csv));
    }

    @Test
    void loggerDefaultName() {
        assertEquals("lightning_logs", CSVLogger.of(dir).name());
    }

    // ------------------------------------------------------------ tests_fabric/loggers/test_csv.py (fabric-only)

    @Test
    void automaticVersioningRelativeRootDir() throws Exception {
        Path relative = Path.of("target", "csv-logger-relative-" + System.nanoTime());
        try {
            Files.createDirectories(relative.resolve("logs/version_0"));
            Files.createDirectories(relative.resolve("logs/version_1"));
            assertTrue(!relative.isAbsolute());
            assertEquals("2", CSVLogger.builder(relative).name("logs").build().version());
        } finally {
            try (Stream<Path> walk = Files.walk(relative)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void fabricNamedVersion() throws Exception {
        String version = "2020-02-05-162402";
        CSVLogger logger = CSVLogger.builder(dir).name("exp").version(version).build();
        logger.logMetrics(row("a", 1, "b", 2));
        logger.save();
        assertEquals(version, logger.version());
        assertEquals(List.of("a,b,step", "1,2,0"), lines(dir.resolve("exp").resolve(version).resolve("metrics.csv")));
    }

    @Test
    void automaticStepTracking() {
        CSVLogger logger = CSVLogger.builder(dir).flushLogsEveryNSteps(3).build();
        Path csv = logger.logDir().resolve("metrics.csv");
        logger.logMetrics(row("a", 1));
        assertEquals(0L, logger.bufferedRows().get(0).get("step"));
        logger.logMetrics(row("a", 1));
        assertEquals(1L, logger.bufferedRows().get(1).get("step"));
        assertFalse(Files.exists(csv));
        logger.logMetrics(row("a", 1));
        assertTrue(logger.bufferedRows().isEmpty());
        assertEquals(MetricsCsv.read(csv).project("step"), List.of("0", "1", "2"));
    }

    @Test
    void rewriteWithNewHeader() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "step,metric1,metric2\r\n0,1,22\r\n");
        CSVLogger.rewriteWithNewHeader(csv, List.of("step", "metric1", "metric2", "metric3"));
        assertEquals("step,metric1,metric2,metric3\r\n0,1,22,\r\n", Files.readString(csv));
    }

    @Test
    void logMetricsColumnOrderSorted() throws Exception {
        CSVLogger logger = CSVLogger.of(dir);
        logger.logMetrics(row("c", 0.1));
        logger.logMetrics(row("c", 0.2));
        logger.logMetrics(row("b", 0.3));
        logger.logMetrics(row("a", 0.4));
        logger.save();
        logger.logMetrics(row("d", 0.5));
        logger.save();
        List<String> lines = lines(logger.logDir().resolve("metrics.csv"));
        assertEquals("a,b,c,d,step", lines.get(0));
        assertEquals(List.of(",,0.1,,0", ",,0.2,,1", ",0.3,,,2", "0.4,,,,3", ",,,0.5,0"), lines.subList(1, 6));
    }
}
