package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.jlightning.logging.tensorboard.DecodedEvents;
import dev.jlightning.logging.tensorboard.DecodedEvents.Event;
import dev.jlightning.logging.tensorboard.DecodedEvents.HParamInfo;
import dev.jlightning.logging.tensorboard.DecodedEvents.HParamsData;
import dev.jlightning.logging.tensorboard.DecodedEvents.Value;
import dev.jlightning.logging.tensorboard.FakeClock;
import dev.jlightning.logging.tensorboard.Histogram;
import dev.jlightning.logging.tensorboard.TfRecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardLoggerTest {

    private static final double T0 = 1_700_000_000.25;
    private static final int DATA_TYPE_STRING = 1;
    private static final int DATA_TYPE_FLOAT64 = 3;
    private static final int STATUS_SUCCESS = 1;
    private static final int DT_STRING = 7;

    @TempDir
    Path saveDir;

    private final FakeClock clock = new FakeClock(T0);

    private TensorBoardLogger.Builder builder() {
        return TensorBoardLogger.builder(saveDir).clock(clock);
    }

    // ---------------------------------------------------------------- layout and versions

    @Test
    void writesToLightningLogsVersionZeroByDefault() {
        TensorBoardLogger logger = builder().build();
        assertEquals("lightning_logs", logger.name());
        assertEquals("0", logger.version());
        assertEquals(saveDir.resolve("lightning_logs").resolve("version_0"), logger.logDir());
        logger.logMetrics(Map.of("loss", 1.0), 0);
        Path file = logger.eventFile().orElseThrow();
        assertEquals(logger.logDir(), file.getParent());
        String name = file.getFileName().toString();
        assertTrue(name.startsWith("events.out.tfevents.1700000000."), name);
        assertTrue(name.matches("events\\.out\\.tfevents\\.1700000000\\..+\\." + ProcessHandle.current().pid()
                + "\\.\\d+"), name);
    }

    @Test
    void nextVersionIsOneMoreThanTheLargestExistingVersionDirectory() throws IOException {
        Path root = saveDir.resolve("exp");
        Files.createDirectories(root.resolve("version_0"));
        Files.createDirectories(root.resolve("version_3"));
        Files.createDirectories(root.resolve("version_x"));
        Files.createFile(root.resolve("version_9"));
        TensorBoardLogger logger = builder().name("exp").build();
        assertEquals("4", logger.version());
        assertEquals(root.resolve("version_4"), logger.logDir());
    }

    @Test
    void explicitVersionsEmptyNameAndSubDirFollowLightning() {
        assertEquals(saveDir.resolve("lightning_logs/version_7"), builder().version(7).build().logDir());
        TensorBoardLogger named = builder().version("run-a").build();
        assertEquals("run-a", named.version());
        assertEquals(saveDir.resolve("lightning_logs/run-a"), named.logDir());
        // A string version is a directory name, digits or not, as in Lightning.
        assertEquals(saveDir.resolve("lightning_logs/5"), builder().version("5").build().logDir());
        assertEquals(saveDir.resolve("version_0"), builder().name("").build().logDir());
        TensorBoardLogger sub = builder().subDir("tb").build();
        assertEquals(saveDir.resolve("lightning_logs/version_0/tb"), sub.logDir());
        assertEquals(Optional.of("tb"), sub.subDir());
    }

    @Test
    void nothingIsCreatedBeforeTheFirstWrite() {
        TensorBoardLogger logger = builder().build();
        assertFalse(Files.exists(saveDir.resolve("lightning_logs")));
        assertEquals(Optional.empty(), logger.eventFile());
    }

    // ---------------------------------------------------------------- scalars

    @Test
    void fileStartsWithTheVersionEventThenOneScalarEventPerMetric() {
        TensorBoardLogger logger = builder().build();
        Map<String, Number> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", 0.1);
        metrics.put("epoch", 3);
        logger.logMetrics(metrics, 42);
        clock.advance(0.5);
        logger.logMetrics(Map.of("zero", 0.0), 0);
        logger.finish("success");

        List<Event> events = DecodedEvents.read(logger.logDir().resolve(onlyEventFileName(logger)));
        assertEquals(4, events.size());
        assertEquals(Optional.of("brain.Event:2"), events.get(0).fileVersion());
        assertEquals(T0, events.get(0).wallTime());
        assertEquals(List.of(), events.get(0).summary());

        assertEquals(42, events.get(1).step());
        assertEquals(T0, events.get(1).wallTime());
        assertEquals(T0 + 0.5, events.get(3).wallTime());
        assertEquals(List.of(new Value("train_loss", Optional.of(0.1f), Optional.empty(), Optional.empty(),
                Optional.empty())), events.get(1).summary());
        assertEquals(Optional.of(3.0f), events.get(2).summary().get(0).simpleValue());
        // A zero simple_value is a set oneof member, so it is written; step 0 is the default and is not.
        assertEquals(Optional.of(0.0f), events.get(3).summary().get(0).simpleValue());
        assertEquals(0, events.get(3).step());
    }

    @Test
    void prefixIsJoinedWithADash() {
        TensorBoardLogger logger = builder().prefix("fold1").build();
        logger.logMetrics(Map.of("val_acc", 0.5), 1);
        logger.save();
        assertEquals(List.of("fold1-val_acc"), summaryTags(read(logger)));
    }

    @Test
    void nullMetricValueIsRejectedByName() {
        TensorBoardLogger logger = builder().build();
        Map<String, Number> metrics = new LinkedHashMap<>();
        metrics.put("loss", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> logger.logMetrics(metrics, 0));
        assertEquals("metric 'loss' has no value (null); a number is required", e.getMessage());
    }

    // ---------------------------------------------------------------- hyperparameters

    @Test
    void hyperparametersWriteHpMetricThenExperimentSessionStartAndSessionEnd() {
        TensorBoardLogger logger = builder().build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.01);
        params.put("optimizer", "SGD");
        params.put("epochs", 10);
        params.put("amsgrad", false);
        params.put("model", Map.of("hidden", 128));
        logger.logHyperparams(params);
        logger.save();

        List<Event> events = read(logger);
        assertEquals(List.of("hp_metric", "_hparams_/experiment", "_hparams_/session_start_info",
                "_hparams_/session_end_info"), summaryTags(events));
        assertEquals(Optional.of(-1.0f), events.get(1).summary().get(0).simpleValue());
        for (Event e : events.subList(1, 5)) {
            assertEquals(0, e.step(), "no step given: the field stays unset");
        }
        for (Event e : events.subList(2, 5)) {
            Value v = e.summary().get(0);
            assertEquals("hparams", v.plugin().orElseThrow().pluginName());
            assertTrue(v.simpleValue().isEmpty() && v.histo().isEmpty() && v.tensor().isEmpty(),
                    "hparams summaries carry metadata only");
        }

        HParamsData experiment = hparamsOf(events.get(2));
        assertEquals(0, experiment.version());
        assertEquals(List.of(new HParamInfo("lr", DATA_TYPE_FLOAT64), new HParamInfo("optimizer", DATA_TYPE_STRING),
                new HParamInfo("epochs", DATA_TYPE_FLOAT64), new HParamInfo("amsgrad", DATA_TYPE_FLOAT64),
                new HParamInfo("model/hidden", DATA_TYPE_FLOAT64)), experiment.experimentHparams().orElseThrow());
        assertEquals(List.of("hp_metric"), experiment.experimentMetricTags().orElseThrow());

        Map<String, Object> expectedStart = new LinkedHashMap<>();
        expectedStart.put("lr", 0.01);
        expectedStart.put("optimizer", "SGD");
        expectedStart.put("epochs", 10.0);
        expectedStart.put("amsgrad", 0.0);
        expectedStart.put("model/hidden", 128.0);
        assertEquals(Optional.of(expectedStart), hparamsOf(events.get(3)).sessionStart());
        assertEquals(Optional.of(STATUS_SUCCESS), hparamsOf(events.get(4)).sessionEndStatus());
    }

    @Test
    void explicitMetricsAndStepReplaceTheDefaultHpMetric() {
        TensorBoardLogger logger = builder().prefix("p").build();
        Map<String, Number> metrics = new LinkedHashMap<>();
        metrics.put("val_loss", 0.3);
        metrics.put("val_acc", 0.9);
        logger.logHyperparams(Map.of("lr", 0.1), metrics, 7);
        logger.save();

        List<Event> events = read(logger);
        // Lightning prefixes the scalars but names the metrics in the experiment without the prefix.
        assertEquals(List.of("p-val_loss", "p-val_acc", "_hparams_/experiment", "_hparams_/session_start_info",
                "_hparams_/session_end_info"), summaryTags(events));
        assertEquals(List.of("val_loss", "val_acc"), hparamsOf(events.get(3)).experimentMetricTags().orElseThrow());
        events.subList(1, 6).forEach(e -> assertEquals(7, e.step()));
    }

    @Test
    void withoutDefaultHpMetricOrWithEmptyMetricsNothingReachesTensorBoard() throws IOException {
        TensorBoardLogger quiet = builder().defaultHpMetric(false).version(0).build();
        quiet.logHyperparams(Map.of("lr", 0.1));
        assertEquals(Optional.empty(), quiet.eventFile());
        TensorBoardLogger empty = builder().version(1).build();
        empty.logHyperparams(Map.of("lr", 0.1), Map.of());
        assertEquals(Optional.empty(), empty.eventFile());
        // They are still kept for hparams.yaml.
        quiet.save();
        assertEquals("lr: 0.1\n", Files.readString(quiet.logDir().resolve("hparams.yaml")));
    }

    @Test
    void hyperparametersAreFlattenedAndSanitizedLikeLightning() {
        record Optim(String name, double lr) {
        }
        TensorBoardLogger logger = builder().build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("optim", new Optim("Adam", 0.001));
        params.put("betas", List.of(0.9, 0.999));
        params.put("layers", List.of(Map.of("units", 64), Map.of("units", 32)));
        params.put("none", null);
        params.put("gone", List.of());
        logger.logHyperparams(params);
        logger.save();

        Map<String, Object> start = hparamsOf(read(logger).get(3)).sessionStart().orElseThrow();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("optim/name", "Adam");
        expected.put("optim/lr", 0.001);
        expected.put("betas", "[0.9, 0.999]");
        expected.put("layers/0/units", 64.0);
        expected.put("layers/1/units", 32.0);
        expected.put("none", "None");
        assertEquals(expected, start);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(start.keySet()), "insertion order is kept");
    }

    @Test
    void hparamsYamlIsWrittenOnceBySaveWithSortedKeys() throws IOException {
        TensorBoardLogger logger = builder().build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("z", 1e-05);
        params.put("a", Map.of("b", true));
        params.put("s", "yes");
        params.put("n", "123");
        logger.logHyperparams(params);
        logger.save();
        Path yaml = logger.logDir().resolve("hparams.yaml");
        String text = Files.readString(yaml);
        // Sorted keys and PyYAML's float spelling; strings that would load as another type are quoted.
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Map.of("b", true));
        expected.put("n", "123");
        expected.put("s", "yes");
        expected.put("z", 1e-05);
        assertEquals(expected, new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue(text, Map.class));
        assertTrue(text.startsWith("a:\n  b: true\n"), text);
        assertTrue(text.endsWith("\nz: 1.0e-05\n"), text);
        logger.logHyperparams(Map.of("later", 1));
        logger.save();
        assertFalse(Files.readString(yaml).contains("later"), "Lightning writes hparams.yaml only if absent");
    }

    // ---------------------------------------------------------------- text and histograms

    @Test
    void textIsAOneElementStringTensorForTheTextPlugin() {
        TensorBoardLogger logger = builder().build();
        logger.logText("notes", "**bold** ü", 3);
        logger.save();
        Event e = read(logger).get(1);
        assertEquals(3, e.step());
        Value v = e.summary().get(0);
        assertEquals("notes/text_summary", v.tag());
        assertEquals(new DecodedEvents.TensorValue(DT_STRING, List.of(1L), List.of("**bold** ü")),
                v.tensor().orElseThrow());
        assertEquals(new DecodedEvents.PluginData("text", ByteString.EMPTY), v.plugin().orElseThrow());
    }

    @Test
    void histogramCarriesStatisticsAndDefaultBuckets() {
        TensorBoardLogger logger = builder().build();
        logger.logHistogram("layer1.weight", new double[] {1.0, 2.0, 2.0}, 9);
        logger.save();
        Event e = read(logger).get(1);
        assertEquals(9, e.step());
        Value v = e.summary().get(0);
        assertEquals("layer1.weight", v.tag());
        DecodedEvents.Histo h = v.histo().orElseThrow();
        Histogram expected = Histogram.of(new double[] {1.0, 2.0, 2.0});
        assertEquals(new DecodedEvents.Histo(1.0, 2.0, 3.0, 5.0, 9.0, boxed(expected.bucketLimits()),
                boxed(expected.buckets())), h);
        assertEquals(2.1628190051144287, h.bucketLimit().get(h.bucketLimit().size() - 1));
    }

    @Test
    void histogramRejectsBadInputWithoutWriting() {
        TensorBoardLogger logger = builder().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> logger.logHistogram("w", new double[] {Double.POSITIVE_INFINITY}, 0));
        assertEquals("histogram value at index 0 is Infinity; only finite values are accepted", e.getMessage());
        assertEquals(Optional.empty(), logger.eventFile());
    }

    // ---------------------------------------------------------------- flushing and closing

    @Test
    void bufferedEventsReachTheFileAfterFlushSecsOrOnSave() {
        TensorBoardLogger logger = builder().flushSecs(120).build();
        clock.set(1000);
        logger.logMetrics(Map.of("a", 1), 1);
        Path file = logger.eventFile().orElseThrow();
        assertEquals(1, TfRecordReader.read(file).size(), "only the version event is flushed at creation");
        clock.set(1100);
        logger.logMetrics(Map.of("a", 2), 2);
        clock.set(1120);
        logger.logMetrics(Map.of("a", 3), 3);
        assertEquals(1, TfRecordReader.read(file).size(), "120 s after creation is not yet past the deadline");
        clock.set(1120.5);
        logger.logMetrics(Map.of("a", 4), 4);
        assertEquals(5, TfRecordReader.read(file).size(), "a write past the deadline flushes everything");
        clock.set(1200);
        logger.logMetrics(Map.of("a", 5), 5);
        assertEquals(5, TfRecordReader.read(file).size(), "the next deadline is 120 s after the last flush");
        logger.save();
        assertEquals(6, TfRecordReader.read(file).size());
    }

    @Test
    void finishClosesTheFileAndLaterLoggingOpensANewOne() throws IOException {
        TensorBoardLogger logger = builder().build();
        logger.logMetrics(Map.of("a", 1), 1);
        Path first = logger.eventFile().orElseThrow();
        logger.finish("success");
        assertEquals(Optional.empty(), logger.eventFile());
        assertEquals(2, TfRecordReader.read(first).size());
        assertEquals("{}\n", Files.readString(logger.logDir().resolve("hparams.yaml")));

        clock.advance(1);
        logger.logMetrics(Map.of("a", 2), 2);
        Path second = logger.eventFile().orElseThrow();
        assertFalse(first.equals(second));
        logger.finish("failed");
        assertEquals(2, TfRecordReader.read(second).size());
        assertEquals(2, eventFiles(logger).size());
    }

    @Test
    void finishOnAnUnusedLoggerWritesNothingUnlessSuccessful() {
        TensorBoardLogger failed = builder().version(0).build();
        failed.finish("failed");
        assertFalse(Files.exists(failed.logDir()));
        // On success Lightning saves, and saving touches the experiment, which creates the event file.
        TensorBoardLogger ok = builder().version(1).build();
        ok.finish("success");
        assertEquals(1, eventFiles(ok).size());
        assertTrue(Files.exists(ok.logDir().resolve("hparams.yaml")));
    }

    // ---------------------------------------------------------------- configuration errors

    @Test
    void badConfigurationIsRejectedWithTheKeyAndValue() {
        assertEquals("flushSecs must be a positive number of seconds, got 0.0", assertThrows(
                IllegalArgumentException.class, () -> builder().flushSecs(0)).getMessage());
        assertEquals("flushSecs must be a positive number of seconds, got NaN", assertThrows(
                IllegalArgumentException.class, () -> builder().flushSecs(Double.NaN)).getMessage());
        assertEquals("version must be >= 0, got -1", assertThrows(
                IllegalArgumentException.class, () -> builder().version(-1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().version(" "))
                .getMessage().startsWith("version must be a non-blank directory name, got ' '"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder().subDir(""))
                .getMessage().startsWith("subDir must be a non-blank directory name"));
        assertEquals("name must not be null", assertThrows(
                IllegalArgumentException.class, () -> builder().name(null)).getMessage());
        assertEquals("saveDir must not be null", assertThrows(
                IllegalArgumentException.class, () -> TensorBoardLogger.builder(null)).getMessage());
    }

    @Test
    void defaultsAreLightnings() {
        TensorBoardLogger logger = TensorBoardLogger.builder(saveDir).build();
        assertEquals(120.0, logger.flushSecs());
        assertTrue(logger.defaultHpMetric());
        assertEquals("", logger.prefix());
        assertEquals(Optional.empty(), logger.subDir());
        assertEquals(saveDir.resolve("lightning_logs"), logger.rootDir());
        assertEquals(saveDir, logger.saveDir());
    }

    // ---------------------------------------------------------------- helpers

    private static List<Event> read(TensorBoardLogger logger) {
        return DecodedEvents.read(logger.logDir().resolve(onlyEventFileName(logger)));
    }

    private static String onlyEventFileName(TensorBoardLogger logger) {
        List<Path> files = eventFiles(logger);
        assertEquals(1, files.size(), "event files: " + files);
        return files.get(0).getFileName().toString();
    }

    private static List<Path> eventFiles(TensorBoardLogger logger) {
        try (Stream<Path> files = Files.list(logger.logDir())) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> summaryTags(List<Event> events) {
        return events.stream().flatMap(e -> e.summary().stream()).map(Value::tag).collect(Collectors.toList());
    }

    private static HParamsData hparamsOf(Event e) {
        return DecodedEvents.hparams(e.summary().get(0).plugin().orElseThrow().content());
    }

    private static List<Double> boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().collect(Collectors.toList());
    }
}
