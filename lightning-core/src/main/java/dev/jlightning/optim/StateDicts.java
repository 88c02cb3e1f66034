package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Writing and reading scheduler state dicts as plain JSON data.
 *
 * <p>Numbers are written as {@link Integer} or {@link Double}; a non-finite double (ReduceLROnPlateau's initial
 * {@code best} is {@code inf}) is written as the string Python's {@code float()} parses, {@code "inf"},
 * {@code "-inf"} or {@code "nan"}, because JSON has no literal for it. Reading accepts any {@link Number} and those
 * strings (and Jackson's {@code "Infinity"} spellings), so a state dict survives a trip through JSON or YAML text.
 */
public final class StateDicts {
    private StateDicts() {
    }

    /** {@code value} as state-dict data: a {@link Double}, or "inf"/"-inf"/"nan". */
    public static Object number(double value) {
        if (Double.isFinite(value)) {
            return value;
        }
        if (Double.isNaN(value)) {
            return "nan";
        }
        return value > 0 ? "inf" : "-inf";
    }

    /** {@code values} as a list of state-dict numbers. */
    public static List<Object> numbers(double[] values) {
        List<Object> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(number(v));
        }
        return list;
    }

    /** A reader over {@code state} whose error messages name {@code owner} (e.g. "StepLR"). */
    public static Reader reader(String owner, Map<String, ?> state) {
        return new Reader(owner, state);
    }

    /**
     * Typed, optional access to a state dict: a missing key is empty (PyTorch's {@code __dict__.update} only touches
     * the keys present), a present key of the wrong type throws {@link IllegalArgumentException} naming it.
     */
    public static final class Reader {
        private final String owner;
        private final Map<String, ?> state;

        private Reader(String owner, Map<String, ?> state) {
            this.owner = owner;
            this.state = Objects.requireNonNull(state, "state");
        }

        /** Whether the key is present. */
        public boolean has(String key) {
            return state.containsKey(key);
        }

        /** An integral number. */
        public OptionalInt integer(String key) {
            if (!state.containsKey(key)) {
                return OptionalInt.empty();
            }
            Object v = state.get(key);
            if (v instanceof Number) {
                double d = ((Number) v).doubleValue();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return OptionalInt.of((int) d);
                }
            }
            throw wrong(key, v, "an integer");
        }

        /** A number (or "inf"/"-inf"/"nan"). */
        public OptionalDouble number(String key) {
            if (!state.containsKey(key)) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(toDouble(key, state.get(key)));
        }

        /** A list of numbers. */
        public Optional<double[]> numbers(String key) {
            if (!state.containsKey(key)) {
                return Optional.empty();
            }
            Object v = state.get(key);
            if (!(v instanceof List)) {
                throw wrong(key, v, "a list of numbers");
            }
            List<?> list = (List<?>) v;
            double[] out = new double[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toDouble(key + "[" + i + "]", list.get(i));
            }
            return Optional.of(out);
        }

        /** A list of integers. */
        public Optional<int[]> integers(String key) {
            Optional<double[]> values = numbers(key);
            if (values.isEmpty()) {
                return Optional.empty();
            }
            double[] d = values.get();
            int[] out = new int[d.length];
            for (int i = 0; i < d.length; i++) {
                if (d[i] != Math.rint(d[i]) || Math.abs(d[i]) > Integer.MAX_VALUE) {
                    throw wrong(key + "[" + i + "]", d[i], "an integer");
                }
                out[i] = (int) d[i];
            }
            return Optional.of(out);
        }

        /** A string. */
        public Optional<String> string(String key) {
            if (!state.containsKey(key)) {
                return Optional.empty();
            }
            Object v = state.get(key);
            if (!(v instanceof String)) {
                throw wrong(key, v, "a string");
            }
            return Optional.of((String) v);
        }

        /** A boolean. */
        public Optional<Boolean> bool(String key) {
            if (!state.containsKey(key)) {
                return Optional.empty();
            }
            Object v = state.get(key);
            if (!(v instanceof Boolean)) {
                throw wrong(key, v, "a boolean");
            }
            return Optional.of((Boolean) v);
        }

        /** A nested map (a child scheduler's state). */
        @SuppressWarnings("unchecked")
        public Optional<Map<String, Object>> map(String key) {
            if (!state.containsKey(key)) {
                return Optional.empty();
            }
            Object v = state.get(key);
            if (!(v instanceof Map)) {
                throw wrong(key, v, "a map");
            }
            return Optional.of((Map<String, Object>) v);
        }

        /** A list of nested maps (child schedulers' states). */
        @SuppressWarnings("unchecked")
        public Optional<List<Map<String, Object>>> maps(String key) {
            if (!state.containsKey(key)) {
                return Optional.empty();
            }
            Object v = state.get(key);
            if (!(v instanceof List)) {
                throw wrong(key, v, "a list of maps");
            }
            List<Map<String, Object>> out = new ArrayList<>();
            int i = 0;
            for (Object item : (List<?>) v) {
                if (!(item instanceof Map)) {
                    throw wrong(key + "[" + i + "]", item, "a map");
                }
                out.add((Map<String, Object>) item);
                i++;
            }
            return Optional.of(out);
        }

        /** The raw value, for keys whose type varies (PyTorch's None-or-number entries). */
        public Optional<Object> raw(String key) {
            return state.containsKey(key) ? Optional.ofNullable(state.get(key)) : Optional.empty();
        }

        /** Whether the key is present and holds {@code null} (Python's {@code None}). */
        public boolean isNull(String key) {
            return state.containsKey(key) && state.get(key) == null;
        }

        private double toDouble(String key, Object v) {
            if (v instanceof Number) {
                return ((Number) v).doubleValue();
            }
            if (v instanceof String) {
                switch (((String) v).trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "inf":
                    case "+inf":
                    case "infinity":
                    case "+infinity":
                        return Double.POSITIVE_INFINITY;
                    case "-inf":
                    case "-infinity":
                        return Double.NEGATIVE_INFINITY;
                    case "nan":
                        return Double.NaN;
                    default:
                        break;
                }
            }
            throw wrong(key, v, "a number");
        }

        private IllegalArgumentException wrong(String key, Object v, String expected) {
            return new IllegalArgumentException(owner + " state dict: '" + key + "' must be " + expected + ", got "
                    + (v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")"));
        }
    }
}
