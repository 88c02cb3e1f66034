package dev.jlightning.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON reader and writer of checkpoints, and the conversions between JSON values and Java numbers.
 *
 * <p>Plain JSON only (what Python's {@code json} module reads): non-finite numbers are written as the strings
 * {@code "inf"}, {@code "-inf"} and {@code "nan"}, as JLightning's scheduler state dicts already do. Reading is bounded
 * (nesting depth, string and number lengths) so a crafted file cannot exhaust memory or the stack.
 */
public final class CheckpointJson {

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64).maxNumberLength(400).maxStringLength(16 << 20).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);

    private CheckpointJson() {
    }

    static byte[] write(Map<String, Object> json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointException("the checkpoint's JSON part cannot be written: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> read(byte[] bytes, int offset, int length) throws IOException {
        return MAPPER.readValue(bytes, offset, length, new TypeReference<Map<String, Object>>() { });
    }

    /** {@code value} as JSON data: the number, or "inf" / "-inf" / "nan". */
    public static Object number(double value) {
        if (Double.isFinite(value)) {
            return value;
        }
        if (Double.isNaN(value)) {
            return "nan";
        }
        return value > 0 ? "inf" : "-inf";
    }

    /** The double {@link #number(double)} wrote; {@code what} names the entry in the error message. */
    public static double toDouble(Object value, String what) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        if ("inf".equals(value) || "Infinity".equals(value)) {
            return Double.POSITIVE_INFINITY;
        }
        if ("-inf".equals(value) || "-Infinity".equals(value)) {
            return Double.NEGATIVE_INFINITY;
        }
        if ("nan".equals(value) || "NaN".equals(value)) {
            return Double.NaN;
        }
        throw new CheckpointException(what + " must be a number, got " + describe(value));
    }

    /** An integer entry, refusing fractions and out-of-range values. */
    public static long toLong(Object value, String what) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            return ((Number) value).longValue();
        }
        throw new CheckpointException(what + " must be an integer, got " + describe(value));
    }

    /**
     * The largest step or batch counter a checkpoint may hold: 2^53, the largest integer a double (as loggers and
     * Python's JSON readers keep numbers) represents exactly, and far from any overflow when the loop adds to it.
     */
    public static final long MAX_COUNTER = 1L << 53;

    /** An integer entry within {@code [min, max]}. */
    public static long toLong(Object value, String what, long min, long max) {
        long v = toLong(value, what);
        if (v < min || v > max) {
            throw new CheckpointException(what + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** An int entry within {@code [min, max]}. */
    public static int toInt(Object value, String what, int min, int max) {
        long v = toLong(value, what);
        if (v < min || v > max) {
            throw new CheckpointException(what + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object value, String what) {
        if (value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw new CheckpointException(what + " must be a JSON object, got " + describe(value));
    }

    @SuppressWarnings("unchecked")
    public static List<Object> toList(Object value, String what) {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        throw new CheckpointException(what + " must be a JSON list, got " + describe(value));
    }

    public static String toStr(Object value, String what) {
        if (value instanceof String) {
            return (String) value;
        }
        throw new CheckpointException(what + " must be a string, got " + describe(value));
    }

    public static boolean toBool(Object value, String what) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new CheckpointException(what + " must be true or false, got " + describe(value));
    }

    static String describe(Object value) {
        if (value == null) {
            return "nothing (missing or null)";
        }
        String s = String.valueOf(value);
        if (s.length() > 80) {
            s = s.substring(0, 77) + "...";
        }
        return value.getClass().getSimpleName() + " " + s;
    }
}
