package dev.jlightning.logging.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test-side decoder of event files into plain records, independent of the writer: it parses every message with
 * protobuf's schema-less {@link UnknownFieldSet}, knows the field numbers from TensorFlow's and TensorBoard's
 * .proto files itself, checks each field's wire type, and fails on any field it does not expect, so every byte the
 * writer emits is accounted for.
 */
public final class DecodedEvents {

    public record Event(double wallTime, long step, Optional<String> fileVersion, Optional<String> sourceWriter,
                 List<Value> summary, byte[] payload, ByteString summaryBytes) {
    }

    public record Value(String tag, Optional<Float> simpleValue, Optional<Histo> histo, Optional<TensorValue> tensor,
                 Optional<PluginData> plugin) {
    }

    public record Histo(double min, double max, double num, double sum, double sumSquares, List<Double> bucketLimit,
                 List<Double> bucket) {
    }

    public record TensorValue(int dtype, List<Long> shape, List<String> stringVal) {
    }

    public record PluginData(String pluginName, ByteString content) {
    }

    public record HParamInfo(String name, int type) {
    }

    /** An HParamsPluginData: exactly one of the three parts is present. */
    public record HParamsData(int version, Optional<List<HParamInfo>> experimentHparams,
                       Optional<List<String>> experimentMetricTags, Optional<Map<String, Object>> sessionStart,
                       Optional<Integer> sessionEndStatus) {
    }

    private DecodedEvents() {
    }

    public static List<Event> read(Path file) {
        List<Event> events = new ArrayList<>();
        for (byte[] record : TfRecordReader.read(file)) {
            events.add(event(record));
        }
        return events;
    }

    public static Event event(byte[] payload) {
        UnknownFieldSet f = parse(ByteString.copyFrom(payload));
        expectOnly(f, "Event", Set.of(1, 2, 3, 5, 10));
        double wallTime = Double.longBitsToDouble(fixed64(f, 1, "Event.wall_time").orElse(0L));
        long step = varint(f, 2, "Event.step").orElse(0L);
        Optional<String> fileVersion = string(f, 3, "Event.file_version");
        Optional<String> writer = message(f, 10, "Event.source_metadata").map(m -> {
            expectOnly(m, "SourceMetadata", Set.of(1));
            return string(m, 1, "SourceMetadata.writer").orElse("");
        });
        Optional<ByteString> summaryBytes = bytes(f, 5, "Event.summary");
        assertTrue(fileVersion.isEmpty() || summaryBytes.isEmpty(), "Event.what is a oneof");
        List<Value> values = new ArrayList<>();
        summaryBytes.ifPresent(s -> {
            UnknownFieldSet summary = parse(s);
            expectOnly(summary, "Summary", Set.of(1));
            for (ByteString v : summary.getField(1).getLengthDelimitedList()) {
                values.add(value(parse(v)));
            }
        });
        return new Event(wallTime, step, fileVersion, writer, values, payload,
                summaryBytes.orElse(ByteString.EMPTY));
    }

    private static Value value(UnknownFieldSet f) {
        expectOnly(f, "Summary.Value", Set.of(1, 2, 5, 8, 9));
        String tag = string(f, 1, "Summary.Value.tag").orElse("");
        Optional<Float> simple = fixed32(f, 2, "Summary.Value.simple_value").map(Float::intBitsToFloat);
        Optional<Histo> histo = message(f, 5, "Summary.Value.histo").map(DecodedEvents::histo);
        Optional<TensorValue> tensor = message(f, 8, "Summary.Value.tensor").map(DecodedEvents::tensor);
        Optional<PluginData> plugin = message(f, 9, "Summary.Value.metadata").map(m -> {
            expectOnly(m, "SummaryMetadata", Set.of(1));
            UnknownFieldSet pd = message(m, 1, "SummaryMetadata.plugin_data").orElseThrow();
            expectOnly(pd, "PluginData", Set.of(1, 2));
            return new PluginData(string(pd, 1, "PluginData.plugin_name").orElse(""),
                    bytes(pd, 2, "PluginData.content").orElse(ByteString.EMPTY));
        });
        int oneofCount = (simple.isPresent() ? 1 : 0) + (histo.isPresent() ? 1 : 0) + (tensor.isPresent() ? 1 : 0);
        assertTrue(oneofCount <= 1, "Summary.Value.value is a oneof");
        return new Value(tag, simple, histo, tensor, plugin);
    }

    private static Histo histo(UnknownFieldSet f) {
        expectOnly(f, "HistogramProto", Set.of(1, 2, 3, 4, 5, 6, 7));
        return new Histo(dbl(f, 1, "min"), dbl(f, 2, "max"), dbl(f, 3, "num"), dbl(f, 4, "sum"),
                dbl(f, 5, "sum_squares"), packedDoubles(f, 6, "bucket_limit"), packedDoubles(f, 7, "bucket"));
    }

    private static TensorValue tensor(UnknownFieldSet f) {
        expectOnly(f, "TensorProto", Set.of(1, 2, 8));
        int dtype = varint(f, 1, "TensorProto.dtype").orElse(0L).intValue();
        List<Long> shape = new ArrayList<>();
        message(f, 2, "TensorProto.tensor_shape").ifPresent(s -> {
            expectOnly(s, "TensorShapeProto", Set.of(2));
            for (ByteString d : s.getField(2).getLengthDelimitedList()) {
                UnknownFieldSet dim = parse(d);
                expectOnly(dim, "TensorShapeProto.Dim", Set.of(1));
                shape.add(varint(dim, 1, "Dim.size").orElse(0L));
            }
        });
        List<String> strings = new ArrayList<>();
        if (f.hasField(8)) {
            f.getField(8).getLengthDelimitedList().forEach(b -> strings.add(b.toStringUtf8()));
        }
        return new TensorValue(dtype, shape, strings);
    }

    /** Decodes the hparams plugin's content bytes. */
    public static HParamsData hparams(ByteString content) {
        UnknownFieldSet f = parse(content);
        expectOnly(f, "HParamsPluginData", Set.of(1, 2, 3, 4));
        int version = varint(f, 1, "HParamsPluginData.version").orElse(0L).intValue();
        Optional<UnknownFieldSet> exp = message(f, 2, "HParamsPluginData.experiment");
        Optional<List<HParamInfo>> infos = exp.map(e -> {
            expectOnly(e, "Experiment", Set.of(4, 5));
            List<HParamInfo> list = new ArrayList<>();
            if (e.hasField(4)) {
                for (ByteString b : e.getField(4).getLengthDelimitedList()) {
                    UnknownFieldSet h = parse(b);
                    expectOnly(h, "HParamInfo", Set.of(1, 4));
                    list.add(new HParamInfo(string(h, 1, "HParamInfo.name").orElse(""),
                            varint(h, 4, "HParamInfo.type").orElse(0L).intValue()));
                }
            }
            return list;
        });
        Optional<List<String>> metrics = exp.map(e -> {
            List<String> list = new ArrayList<>();
            if (e.hasField(5)) {
                for (ByteString b : e.getField(5).getLengthDelimitedList()) {
                    UnknownFieldSet m = parse(b);
                    expectOnly(m, "MetricInfo", Set.of(1));
                    UnknownFieldSet name = message(m, 1, "MetricInfo.name").orElseThrow();
                    expectOnly(name, "MetricName", Set.of(2));
                    list.add(string(name, 2, "MetricName.tag").orElse(""));
                }
            }
            return list;
        });
        Optional<Map<String, Object>> start = message(f, 3, "HParamsPluginData.session_start_info").map(s -> {
            expectOnly(s, "SessionStartInfo", Set.of(1));
            Map<String, Object> hparams = new LinkedHashMap<>();
            if (s.hasField(1)) {
                for (ByteString b : s.getField(1).getLengthDelimitedList()) {
                    UnknownFieldSet entry = parse(b);
                    expectOnly(entry, "HparamsEntry", Set.of(1, 2));
                    String key = string(entry, 1, "HparamsEntry.key").orElse("");
                    UnknownFieldSet v = message(entry, 2, "HparamsEntry.value").orElseThrow();
                    expectOnly(v, "google.protobuf.Value", Set.of(2, 3));
                    Object decoded = v.hasField(2)
                            ? (Object) Double.longBitsToDouble(fixed64(v, 2, "Value.number_value").orElseThrow())
                            : string(v, 3, "Value.string_value").orElseThrow();
                    hparams.put(key, decoded);
                }
            }
            return hparams;
        });
        Optional<Integer> end = message(f, 4, "HParamsPluginData.session_end_info").map(e -> {
            expectOnly(e, "SessionEndInfo", Set.of(1));
            return varint(e, 1, "SessionEndInfo.status").orElse(0L).intValue();
        });
        int parts = (exp.isPresent() ? 1 : 0) + (start.isPresent() ? 1 : 0) + (end.isPresent() ? 1 : 0);
        assertEquals(1, parts, "HParamsPluginData.data is a oneof with one member set");
        return new HParamsData(version, infos, metrics, start, end);
    }

    // ---- schema-checked field access on UnknownFieldSet ----

    static UnknownFieldSet parse(ByteString bytes) {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a protobuf message: " + e.getMessage(), e);
        }
    }

    private static void expectOnly(UnknownFieldSet f, String message, Set<Integer> allowed) {
        for (Integer number : f.asMap().keySet()) {
            if (!allowed.contains(number)) {
                fail(message + " has unexpected field " + number);
            }
        }
    }

    private static UnknownFieldSet.Field single(UnknownFieldSet f, int number, String name) {
        UnknownFieldSet.Field field = f.getField(number);
        int count = field.getVarintList().size() + field.getFixed32List().size() + field.getFixed64List().size()
                + field.getLengthDelimitedList().size() + field.getGroupList().size();
        assertTrue(count <= 1, name + " is singular but appears " + count + " times");
        return field;
    }

    private static Optional<Long> varint(UnknownFieldSet f, int number, String name) {
        if (!f.hasField(number)) {
            return Optional.empty();
        }
        UnknownFieldSet.Field field = single(f, number, name);
        assertEquals(1, field.getVarintList().size(), name + " must be a varint");
        return Optional.of(field.getVarintList().get(0));
    }

    private static Optional<Long> fixed64(UnknownFieldSet f, int number, String name) {
        if (!f.hasField(number)) {
            return Optional.empty();
        }
        UnknownFieldSet.Field field = single(f, number, name);
        assertEquals(1, field.getFixed64List().size(), name + " must be fixed64");
        return Optional.of(field.getFixed64List().get(0));
    }

    private static Optional<Integer> fixed32(UnknownFieldSet f, int number, String name) {
        if (!f.hasField(number)) {
            return Optional.empty();
        }
        UnknownFieldSet.Field field = single(f, number, name);
        assertEquals(1, field.getFixed32List().size(), name + " must be fixed32");
        return Optional.of(field.getFixed32List().get(0));
    }

    private static Optional<ByteString> bytes(UnknownFieldSet f, int number, String name) {
        if (!f.hasField(number)) {
            return Optional.empty();
        }
        UnknownFieldSet.Field field = single(f, number, name);
        assertEquals(1, field.getLengthDelimitedList().size(), name + " must be length-delimited");
        return Optional.of(field.getLengthDelimitedList().get(0));
    }

    private static Optional<String> string(UnknownFieldSet f, int number, String name) {
        return bytes(f, number, name).map(b -> b.toString(StandardCharsets.UTF_8));
    }

    private static Optional<UnknownFieldSet> message(UnknownFieldSet f, int number, String name) {
        return bytes(f, number, name).map(DecodedEvents::parse);
    }

    private static double dbl(UnknownFieldSet f, int number, String name) {
        return fixed64(f, number, "HistogramProto." + name).map(Double::longBitsToDouble).orElse(0.0);
    }

    private static List<Double> packedDoubles(UnknownFieldSet f, int number, String name) {
        List<Double> out = new ArrayList<>();
        bytes(f, number, "HistogramProto." + name).ifPresent(b -> {
            assertEquals(0, b.size() % 8, name + " packed doubles must be a multiple of 8 bytes");
            ByteBuffer buf = b.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining()) {
                out.add(buf.getDouble());
            }
        });
        return out;
    }
}
