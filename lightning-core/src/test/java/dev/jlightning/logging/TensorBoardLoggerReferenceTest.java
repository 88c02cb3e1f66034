package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.logging.tensorboard.DecodedEvents;
import dev.jlightning.logging.tensorboard.DecodedEvents.Event;
import dev.jlightning.logging.tensorboard.DecodedEvents.HParamsData;
import dev.jlightning.logging.tensorboard.DecodedEvents.Value;
import dev.jlightning.logging.tensorboard.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the calls of {@code src/test/python/tensorboard/make_lightning_reference.py} and compares the result with
 * the event file and hparams.yaml that Lightning's own TensorBoardLogger (pytorch_lightning 2.6.6 on torch 2.13.0
 * and tensorboard 2.21) wrote for them: record for record, every summary byte for byte, except where Python's output
 * is not deterministic (the order of the hparams map) or depends on BLAS (a histogram's sum of squares).
 */
class TensorBoardLoggerReferenceTest {

    private static final String RESOURCES = "/dev/jlightning/logging/tensorboard/";
    private static final double[] SCALES = {0.01, 0.1, 1.0, 10.0, 100.0};

    @TempDir
    Path tmp;

    static double[] histogramValues() {
        double[] values = new double[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = ((i * 37) % 101 - 50) / 7.0 * SCALES[i % 5];
        }
        return values;
    }

    static double[] histogramEdgeValues() {
        double[] values = new double[25];
        System.arraycopy(histogramValues(), 0, values, 0, 20);
        double[] extra = {0.0, 1e-12, -1e-12, 1.1e-12, 3e20};
        System.arraycopy(extra, 0, values, 20, extra.length);
        return values;
    }

    private TensorBoardLogger runScenario(FakeClock clock) {
        TensorBoardLogger logger = TensorBoardLogger.builder(tmp).name("reference").version(0).clock(clock).build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.1);
        params.put("optimizer", "Adam");
        params.put("layers", 3);
        params.put("flag", true);
        params.put("nested", ordered("momentum", 0.9, "inner", ordered("depth", 2)));
        params.put("betas", List.of(0.9, 0.999));
        params.put("schedulers", List.of(ordered("name", "StepLR"), ordered("name", "ExponentialLR", "gamma", 0.5)));
        params.put("nothing", null);
        params.put("tiny", 1e-05);
        params.put("empty", List.of());
        clock.advance(0.001);
        logger.logHyperparams(params);
        clock.advance(0.001);
        logger.logMetrics(ordered("train_loss", 0.25, "lr-SGD", 0.01, "epoch", 0), 1);
        clock.advance(0.001);
        logger.logMetrics(ordered("train_loss", 0.125, "nan_metric", Double.NaN, "big", 1e300), 2);
        clock.advance(0.001);
        logger.logText("notes", "hello **world** \u00fc", 3);
        clock.advance(0.001);
        logger.logHistogram("weights", histogramValues(), 4);
        logger.logHistogram("edges", histogramEdgeValues(), 4);
        clock.advance(0.001);
        logger.logHyperparams(Map.of("second", "x"), Map.of("val_acc", 0.5), 5);
        logger.finish("success");
        return logger;
    }

    @Test
    void eventsMatchLightningsRecordForRecord() throws IOException {
        List<Event> expected = readReference();
        FakeClock clock = new FakeClock(1_700_000_000.5);
        TensorBoardLogger logger = runScenario(clock);
        Path eventFile;
        try (var files = Files.list(logger.logDir())) {
            eventFile = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .findFirst().orElseThrow();
        }
        List<Event> actual = DecodedEvents.read(eventFile);

        assertEquals(tags(expected), tags(actual));
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.get(0).fileVersion(), actual.get(0).fileVersion());
        assertTrue(actual.get(0).sourceWriter().isPresent());
        for (int i = 1; i < expected.size(); i++) {
            Event e = expected.get(i);
            Event a = actual.get(i);
            String where = "event " + i + " " + tags(List.of(e));
            assertEquals(e.step(), a.step(), where);
            String tag = e.summary().get(0).tag();
            if (tag.equals("_hparams_/session_start_info")) {
                // Python serializes proto maps in hash order; compare the decoded map.
                assertEquals(hparams(e).sessionStart(), hparams(a).sessionStart(), where);
            } else if (e.summary().get(0).histo().isPresent()) {
                DecodedEvents.Histo eh = e.summary().get(0).histo().get();
                DecodedEvents.Histo ah = a.summary().get(0).histo().get();
                assertEquals(eh.min(), ah.min(), where);
                assertEquals(eh.max(), ah.max(), where);
                assertEquals(eh.num(), ah.num(), where);
                assertEquals(eh.sum(), ah.sum(), where);
                assertEquals(eh.sumSquares(), ah.sumSquares(), Math.abs(eh.sumSquares()) * 1e-13, where);
                assertEquals(eh.bucketLimit(), ah.bucketLimit(), where);
                assertEquals(eh.bucket(), ah.bucket(), where);
            } else {
                assertEquals(e.summaryBytes(), a.summaryBytes(), where + ": summary bytes differ");
                assertArrayEquals(withoutWallTime(e), withoutWallTime(a),
                        where + ": event bytes differ beyond wall_time");
            }
        }
    }

    @Test
    void hparamsYamlMatchesLightningsText() throws IOException {
        TensorBoardLogger logger = runScenario(new FakeClock(1_700_000_000.5));
        String expected = resourceText("lightning-reference-hparams.yaml");
        assertEquals(expected, Files.readString(logger.logDir().resolve("hparams.yaml")));
    }

    @Test
    void wallTimesComeFromTheClock() {
        FakeClock clock = new FakeClock(1_700_000_000.5);
        TensorBoardLogger logger = runScenario(clock);
        List<Event> events = DecodedEvents.read(onlyEventFile(logger));
        // 1e-6 s: a double near 1.7e9 has a spacing of 2.4e-7.
        assertEquals(1_700_000_000.501, events.get(0).wallTime(), 1e-6);
        assertEquals(1_700_000_000.506, events.get(events.size() - 1).wallTime(), 1e-6);
    }

    private static Path onlyEventFile(TensorBoardLogger logger) {
        try (var files = Files.list(logger.logDir())) {
            List<Path> events = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .collect(Collectors.toList());
            assertEquals(1, events.size());
            return events.get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HParamsData hparams(Event e) {
        return DecodedEvents.hparams(e.summary().get(0).plugin().orElseThrow().content());
    }

    /** The event's bytes with the leading wall_time field (tag 0x09 + 8 bytes) removed. */
    private static byte[] withoutWallTime(Event e) {
        byte[] p = e.payload();
        assertEquals(0x09, p[0], "wall_time comes first");
        byte[] rest = new byte[p.length - 9];
        System.arraycopy(p, 9, rest, 0, rest.length);
        return rest;
    }

    private static List<String> tags(List<Event> events) {
        List<String> tags = new ArrayList<>();
        for (Event e : events) {
            tags.add(e.fileVersion().orElseGet(() -> e.summary().stream().map(Value::tag)
                    .collect(Collectors.joining(",")) + "@" + e.step()));
        }
        return tags;
    }

    private static List<Event> readReference() throws IOException {
        Path copy = Files.createTempFile("lightning-reference", ".tfevents");
        try (InputStream in = TensorBoardLoggerReferenceTest.class.getResourceAsStream(
                RESOURCES + "lightning-reference.tfevents")) {
            Files.write(copy, in.readAllBytes());
        }
        try {
            return DecodedEvents.read(copy);
        } finally {
            Files.delete(copy);
        }
    }

    private static String resourceText(String name) throws IOException {
        try (InputStream in = TensorBoardLoggerReferenceTest.class.getResourceAsStream(RESOURCES + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static <V> Map<String, V> ordered(Object... keyValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], (V) keyValues[i + 1]);
        }
        return map;
    }
}
