package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a TensorBoard event file back without the writer's code: TensorFlow's record framing with both masked
 * CRC-32C checks (a bitwise CRC, not {@link java.util.zip.CRC32C}), then every Event, Summary, Value, plugin and
 * tensor message parsed schema-less with the field numbers of TensorFlow's and TensorBoard's .proto files, failing
 * on any field it does not know, so a file that decodes has every byte accounted for.
 */
final class EventFileDecoder {

    record Event(double wallTime, long step, Optional<String> fileVersion, List<Value> values) {
    }

    record Value(String tag, Optional<Float> simpleValue, Optional<String> pluginName, ByteString pluginContent,
            List<String> tensorStrings) {
    }

    private EventFileDecoder() {
    }

    static List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        for (byte[] record : records(Files.readAllBytes(file))) {
            events.add(event(record));
        }
        return events;
    }

    static List<byte[]> records(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            int start = buf.position();
            assertTrue(buf.remaining() >= 12, "truncated record header at " + start);
            long length = buf.getLong();
            assertEquals(masked(crc32c(Arrays.copyOfRange(data, start, start + 8))), buf.getInt(),
                    "length CRC at " + start);
            assertTrue(length <= buf.remaining() - 4, "truncated payload at " + start);
            byte[] payload = new byte[(int) length];
            buf.get(payload);
            assertEquals(masked(crc32c(payload)), buf.getInt(), "payload CRC at " + start);
            out.add(payload);
        }
        return out;
    }

    static int crc32c(byte[] bytes) {
        int crc = 0xFFFFFFFF;
        for (byte b : bytes) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static Event event(byte[] payload) {
        UnknownFieldSet f = parse(ByteString.copyFrom(payload));
        only(f, "Event", 1, 2, 3, 5, 10);
        double wallTime = Double.longBitsToDouble(single(f, 1).map(x -> x.getFixed64List().get(0)).orElse(0L));
        long step = single(f, 2).map(x -> x.getVarintList().get(0)).orElse(0L);
        Optional<String> version = bytes(f, 3).map(ByteString::toStringUtf8);
        bytes(f, 10).ifPresent(m -> only(parse(m), "SourceMetadata", 1));
        List<Value> values = new ArrayList<>();
        bytes(f, 5).ifPresent(s -> {
            UnknownFieldSet summary = parse(s);
            only(summary, "Summary", 1);
            for (ByteString v : summary.getField(1).getLengthDelimitedList()) {
                values.add(value(parse(v)));
            }
        });
        return new Event(wallTime, step, version, values);
    }

    private static Value value(UnknownFieldSet f) {
        only(f, "Summary.Value", 1, 2, 8, 9);
        String tag = bytes(f, 1).map(ByteString::toStringUtf8).orElse("");
        Optional<Float> simple = single(f, 2).map(x -> Float.intBitsToFloat(x.getFixed32List().get(0)));
        List<String> strings = new ArrayList<>();
        bytes(f, 8).ifPresent(t -> {
            UnknownFieldSet tensor = parse(t);
            only(tensor, "TensorProto", 1, 2, 8);
            bytes(tensor, 2).ifPresent(shape -> only(parse(shape), "TensorShapeProto", 2));
            if (tensor.hasField(8)) {
                tensor.getField(8).getLengthDelimitedList().forEach(b -> strings.add(b.toStringUtf8()));
            }
        });
        Optional<String> plugin = Optional.empty();
        ByteString content = ByteString.EMPTY;
        Optional<ByteString> metadata = bytes(f, 9);
        if (metadata.isPresent()) {
            UnknownFieldSet m = parse(metadata.get());
            only(m, "SummaryMetadata", 1);
            UnknownFieldSet pluginData = parse(bytes(m, 1).orElseThrow());
            only(pluginData, "PluginData", 1, 2);
            plugin = bytes(pluginData, 1).map(ByteString::toStringUtf8);
            content = bytes(pluginData, 2).orElse(ByteString.EMPTY);
            if (plugin.equals(Optional.of("hparams"))) {
                only(parse(content), "HParamsPluginData", 1, 2, 3, 4);
            }
        }
        return new Value(tag, simple, plugin, content, strings);
    }

    private static UnknownFieldSet parse(ByteString bytes) {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a protobuf message: " + e.getMessage(), e);
        }
    }

    private static void only(UnknownFieldSet f, String message, Integer... allowed) {
        Set<Integer> ok = Set.of(allowed);
        for (Integer n : f.asMap().keySet()) {
            if (!ok.contains(n)) {
                fail(message + " has unexpected field " + n);
            }
        }
    }

    private static Optional<UnknownFieldSet.Field> single(UnknownFieldSet f, int number) {
        if (!f.hasField(number)) {
            return Optional.empty();
        }
        UnknownFieldSet.Field field = f.getField(number);
        int count = field.getVarintList().size() + field.getFixed32List().size() + field.getFixed64List().size()
                + field.getLengthDelimitedList().size() + field.getGroupList().size();
        assertEquals(1, count, "field " + number + " is singular");
        return Optional.of(field);
    }

    private static Optional<ByteString> bytes(UnknownFieldSet f, int number) {
        return single(f, number).map(x -> {
            assertEquals(1, x.getLengthDelimitedList().size(), "field " + number + " is length-delimited");
            return x.getLengthDelimitedList().get(0);
        });
    }

    static String utf8(ByteString b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
