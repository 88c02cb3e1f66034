package dev.jlightning.cli;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts config values (YAML data) to the Java types of constructor parameters, record components and builder
 * options, with jsonargparse's strictness: an int takes an integral number only, a float any number, a bool only
 * {@code true}/{@code false}. A mismatch names the dotted path, the value and the expected type.
 */
final class Types {

    private Types() {
    }

    /** Whether {@code value} converts to {@code type} without an error. */
    static boolean accepts(Object value, Type type) {
        try {
            convert("", value, type);
            return true;
        } catch (CliConfigException e) {
            return false;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object convert(String path, Object value, Type type) {
        Class<?> raw = rawClass(type);
        if (value == null) {
            if (raw.isPrimitive()) {
                throw mismatch(path, value, type);
            }
            return null;
        }
        if (raw == int.class || raw == Integer.class) {
            long l = integral(path, value, type);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw mismatch(path, value, type);
            }
            return (int) l;
        }
        if (raw == long.class || raw == Long.class) {
            return integral(path, value, type);
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            if (!(value instanceof Number)) {
                throw mismatch(path, value, type);
            }
            double d = ((Number) value).doubleValue();
            return raw == float.class || raw == Float.class ? (Object) (float) d : (Object) d;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (!(value instanceof Boolean)) {
                throw mismatch(path, value, type);
            }
            return value;
        }
        if (raw == String.class) {
            if (value instanceof java.util.Map || value instanceof List) {
                throw mismatch(path, value, type);
            }
            return String.valueOf(value);
        }
        if (raw == Path.class) {
            if (!(value instanceof String)) {
                throw mismatch(path, value, type);
            }
            return Path.of((String) value);
        }
        if (raw.isEnum()) {
            if (value instanceof String) {
                for (Object constant : raw.getEnumConstants()) {
                    String name = ((Enum<?>) constant).name();
                    if (name.equalsIgnoreCase((String) value) || constant.toString().equalsIgnoreCase((String) value)) {
                        return constant;
                    }
                }
            }
            throw mismatch(path, value, type);
        }
        if (List.class.isAssignableFrom(raw)) {
            if (!(value instanceof List)) {
                throw mismatch(path, value, type);
            }
            Type element = type instanceof ParameterizedType ? ((ParameterizedType) type).getActualTypeArguments()[0]
                    : Object.class;
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Object item : (List<?>) value) {
                out.add(convert(path + "[" + i++ + "]", item, element));
            }
            return List.copyOf(out);
        }
        if (raw == Object.class) {
            return value;
        }
        if (raw.isInstance(value)) {
            return value;
        }
        throw new CliConfigException(path + ": values of type " + name(type) + " cannot be given in a config");
    }

    private static long integral(String path, Object value, Type type) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger && ((BigInteger) value).bitLength() < 64) {
            return ((BigInteger) value).longValue();
        }
        throw mismatch(path, value, type);
    }

    static CliConfigException mismatch(String path, Object value, Type type) {
        return new CliConfigException(path + ": expected " + name(type) + ", got " + show(value));
    }

    /** The value as a message shows it: its YAML spelling and its Python type. */
    static String show(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
        return text + " (" + pythonType(value) + ")";
    }

    /** The type a Python user would call it. */
    static String pythonType(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof String) {
            return "str";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof java.util.Map) {
            return "dict";
        }
        return value.getClass().getSimpleName();
    }

    /** A Java type by its Python-flavoured name: int, float, bool, str, path, list[int], an enum's values. */
    static String name(Type type) {
        Class<?> raw = rawClass(type);
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "int";
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            return "float";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "bool";
        }
        if (raw == String.class) {
            return "str";
        }
        if (raw == Path.class) {
            return "path";
        }
        if (raw.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : raw.getEnumConstants()) {
                names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
            }
            return "one of " + names;
        }
        if (List.class.isAssignableFrom(raw)) {
            return "list[" + (type instanceof ParameterizedType
                    ? name(((ParameterizedType) type).getActualTypeArguments()[0]) : "any") + "]";
        }
        return raw.getSimpleName();
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) type).getRawType();
        }
        return Object.class;
    }
}
