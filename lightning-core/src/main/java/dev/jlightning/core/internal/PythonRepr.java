package dev.jlightning.core.internal;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code str()} and {@code repr()} of plain values, for messages that quote names as Lightning's do and for the places where Lightning turns a
 * hyperparameter into text ({@code _sanitize_params}) or PyYAML writes a float.
 *
 * <p>Java values map to their Python twins: {@code null} is {@code None}, booleans {@code True}/{@code False},
 * integral numbers ints, other numbers floats (Python's shortest round-trip repr, e.g. {@code 1e-05},
 * {@code 0.1}, {@code 1e+16}), strings quoted inside containers, collections and arrays lists, maps dicts. Other
 * objects fall back to {@code toString()}.
 */
public final class PythonRepr {

    private PythonRepr() {
    }

    /** Python's {@code str(value)}: strings unquoted, everything else as {@link #repr(Object)}. */
    public static String str(Object value) {
        return value instanceof CharSequence ? value.toString() : repr(value);
    }

    /** Python's {@code repr(value)}. */
    public static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (isInt(value)) {
            return value.toString();
        }
        if (value instanceof Number n) {
            return floatRepr(n.doubleValue());
        }
        if (value instanceof CharSequence || value instanceof Character) {
            return stringRepr(value.toString());
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                if (it.hasNext()) {
                    sb.append(", ");
                }
            }
            return sb.append('}').toString();
        }
        if (value instanceof Collection<?> list) {
            return sequence(list.toArray());
        }
        if (value.getClass().isArray()) {
            Object[] items = new Object[Array.getLength(value)];
            for (int i = 0; i < items.length; i++) {
                items[i] = Array.get(value, i);
            }
            return sequence(items);
        }
        return value.toString();
    }

    /** True for the Java types that are Python ints. */
    public static boolean isInt(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger;
    }

    /** Python's {@code repr(float)}: shortest digits that round-trip, fixed notation for exponents -4..15. */
    public static String floatRepr(double d) {
        return dev.jlightning.logging.PythonFormat.str(d);
    }

    private static String sequence(Object[] items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(repr(items[i]));
        }
        return sb.append(']').toString();
    }

    /** Python's string repr: single quotes unless the text holds a single quote and no double quote. */
    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(quote).toString();
    }

    /** {@code ['a', 'b']}, as messages quote names the way Lightning's do. */
    public static String list(Collection<String> values) {
        return sequence(values.toArray());
    }

    /** {@code {'a', 'b'}} in the collection's iteration order; {@code set()} when empty. */
    public static String set(Collection<String> values) {
        if (values.isEmpty()) {
            return "set()";
        }
        String items = sequence(values.toArray());
        return "{" + items.substring(1, items.length() - 1) + "}";
    }
}
