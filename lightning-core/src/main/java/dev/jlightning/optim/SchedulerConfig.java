package dev.jlightning.optim;

import dev.jlightning.core.internal.Suggestions;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.bytedeco.pytorch.Optimizer;

/**
 * One scheduler's configuration map, read the way Python binds keyword arguments: every key must be one the
 * scheduler declares ({@link #expectKeys}), with the type Python would accept, else an
 * {@link IllegalArgumentException} names the scheduler (and where it sits in a nested config), the key, the value
 * and what is accepted, and suggests the closest key for a misspelling ({@code did you mean 'step_size'?}).
 *
 * <p>Types: an int key takes an integral number ({@code 3}, not {@code 3.0}); a float key takes any number; a
 * string key a string; a bool key {@code true}/{@code false}. A key whose Python default is {@code None} may be
 * given as {@code null}, which means absent. Formula keys take Python expression strings ({@link Formula}).
 * Nested schedulers are maps of the same form, built through {@link LRSchedulers#create}.
 *
 * <p>This is the reusable reader behind every {@link SchedulerFactory}; it is not thread-safe.
 */
public final class SchedulerConfig {
    private final Map<String, ?> map;
    private final String name;
    private final String where;
    private Set<String> expected;

    SchedulerConfig(Map<String, ?> map, String name, String where) {
        this.map = map;
        this.name = name;
        this.where = where;
    }

    /** The scheduler's class name, the value under {@code "name"}. */
    public String name() {
        return name;
    }

    /** How error messages refer to this config: the name, prefixed by its place in an enclosing config. */
    public String where() {
        return where;
    }

    /**
     * Declares the keys this scheduler accepts besides {@code "name"}, and rejects any other key present.
     *
     * @throws IllegalArgumentException naming the first unknown key, the closest accepted key and all of them
     */
    public SchedulerConfig expectKeys(String... keys) {
        Set<String> accepted = new LinkedHashSet<>();
        accepted.add("name");
        Collections.addAll(accepted, keys);
        this.expected = accepted;
        for (String key : map.keySet()) {
            if (!accepted.contains(key)) {
                String hint = Suggestions.closest(key, accepted).map(s -> "did you mean '" + s + "'? ").orElse("");
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; " + hint
                        + "accepted keys: " + String.join(", ", accepted));
            }
        }
        return this;
    }

    /** Whether the key is present with a non-null value. */
    public boolean has(String key) {
        check(key);
        return map.get(key) != null;
    }

    /** Whether the key holds a list. */
    public boolean isList(String key) {
        check(key);
        return map.get(key) instanceof List;
    }

    /** Whether the key holds a map (a nested scheduler). */
    public boolean isMap(String key) {
        check(key);
        return map.get(key) instanceof Map;
    }

    /** A required int. */
    public int requireInt(String key) {
        return toInt(key, require(key));
    }

    /** An int with a default. */
    public int optInt(String key, int defaultValue) {
        return has(key) ? toInt(key, map.get(key)) : defaultValue;
    }

    /** An int whose Python default is {@code None}: empty when absent or null. */
    public OptionalInt optInt(String key) {
        return has(key) ? OptionalInt.of(toInt(key, map.get(key))) : OptionalInt.empty();
    }

    /** A required float. */
    public double requireDouble(String key) {
        return toDouble(key, require(key));
    }

    /** A float with a default. */
    public double optDouble(String key, double defaultValue) {
        return has(key) ? toDouble(key, map.get(key)) : defaultValue;
    }

    /** A float whose Python default is {@code None}: empty when absent or null. */
    public OptionalDouble optDouble(String key) {
        return has(key) ? OptionalDouble.of(toDouble(key, map.get(key))) : OptionalDouble.empty();
    }

    /** A bool with a default. */
    public boolean optBool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = map.get(key);
        if (!(v instanceof Boolean)) {
            throw wrongType(key, v, "a boolean (true or false)");
        }
        return (Boolean) v;
    }

    /** A string with a default. */
    public String optString(String key, String defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object v = map.get(key);
        if (!(v instanceof String)) {
            throw wrongType(key, v, "a string");
        }
        return (String) v;
    }

    /** A required list of ints. */
    public List<Integer> requireIntList(String key) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw wrongType(key, v, "a list of integers");
        }
        List<Integer> out = new ArrayList<>();
        int i = 0;
        for (Object item : (List<?>) v) {
            out.add(toInt(key + "[" + i++ + "]", item));
        }
        return out;
    }

    /** A required list of floats (one value per param group, for instance). */
    public List<Double> requireDoubleList(String key) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw wrongType(key, v, "a list of numbers");
        }
        List<Double> out = new ArrayList<>();
        int i = 0;
        for (Object item : (List<?>) v) {
            out.add(toDouble(key + "[" + i++ + "]", item));
        }
        return out;
    }

    /** A required formula string in {@code variable} ({@code "0.95 ** epoch"}). */
    public Formula requireFormula(String key, String variable) {
        return toFormula(key, require(key), variable);
    }

    /** A required list of formula strings, one per param group. */
    public List<Formula> requireFormulaList(String key, String variable) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw wrongType(key, v, "a list of formula strings");
        }
        List<Formula> out = new ArrayList<>();
        int i = 0;
        for (Object item : (List<?>) v) {
            out.add(toFormula(key + "[" + i++ + "]", item, variable));
        }
        return out;
    }

    /** A required nested scheduler map, built on {@code optimizer}. */
    public LRScheduler requireScheduler(String key, Optimizer optimizer) {
        Object v = require(key);
        if (!(v instanceof Map)) {
            throw wrongType(key, v, "a scheduler map with a \"name\"");
        }
        return LRSchedulers.create(optimizer, asStringMap(key, v), where + " > " + key);
    }

    /** A required non-empty list of nested scheduler maps, built in order on {@code optimizer}. */
    public List<LRScheduler> requireSchedulers(String key, Optimizer optimizer) {
        Object v = require(key);
        if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
            throw wrongType(key, v, "a non-empty list of scheduler maps, each with a \"name\"");
        }
        List<LRScheduler> out = new ArrayList<>();
        int i = 0;
        for (Object item : (List<?>) v) {
            String itemKey = key + "[" + i++ + "]";
            if (!(item instanceof Map)) {
                throw wrongType(itemKey, item, "a scheduler map with a \"name\"");
            }
            out.add(LRSchedulers.create(optimizer, asStringMap(itemKey, item), where + " > " + itemKey));
        }
        return out;
    }

    /** The raw value, for keys of several shapes; null when absent. */
    public Object raw(String key) {
        check(key);
        return map.get(key);
    }

    /** An {@link IllegalArgumentException} naming this config, the key, its value and what is accepted. */
    public IllegalArgumentException invalid(String key, String expectedDescription) {
        return wrongType(key, map.get(key), expectedDescription);
    }

    private Object require(String key) {
        check(key);
        Object v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException(where + ": missing required key '" + key + "'"
                    + (map.containsKey(key) ? " (it is null)" : "") + "; accepted keys: "
                    + String.join(", ", expected));
        }
        return v;
    }

    private void check(String key) {
        Objects.requireNonNull(key, "key");
        if (expected == null) {
            throw new IllegalStateException(where + ": the factory must call expectKeys(...) before reading keys");
        }
        if (!expected.contains(key)) {
            throw new IllegalStateException(where + ": the factory reads '" + key + "' without declaring it");
        }
    }

    private int toInt(String key, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            long l;
            try {
                l = v instanceof BigInteger ? ((BigInteger) v).longValueExact() : ((Number) v).longValue();
            } catch (ArithmeticException e) {
                throw wrongType(key, v, "an integer within Java's int range");
            }
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw wrongType(key, v, "an integer within Java's int range");
            }
            return (int) l;
        }
        throw wrongType(key, v, "an integer");
    }

    private double toDouble(String key, Object v) {
        if (v instanceof Number && !(v instanceof BigDecimal && ((BigDecimal) v).scale() > 340)) {
            return ((Number) v).doubleValue();
        }
        throw wrongType(key, v, "a number");
    }

    private Formula toFormula(String key, Object v, String variable) {
        if (!(v instanceof String)) {
            throw wrongType(key, v, "a formula string in '" + variable + "', e.g. \"0.95 ** " + variable + "\"");
        }
        try {
            return Formula.parse((String) v, variable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": '" + key + "' is not a valid formula: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, ?> asStringMap(String key, Object v) {
        for (Object k : ((Map<?, ?>) v).keySet()) {
            if (!(k instanceof String)) {
                throw wrongType(key, v, "a map with string keys");
            }
        }
        return (Map<String, ?>) v;
    }

    private IllegalArgumentException wrongType(String key, Object v, String expectedDescription) {
        String shown = v == null ? "null" : Checks.format(v) + " (" + typeName(v) + ")";
        return new IllegalArgumentException(where + ": '" + key + "' must be " + expectedDescription + ", got "
                + shown);
    }

    private static String typeName(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
            return "int";
        }
        if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "map";
        }
        return v.getClass().getSimpleName();
    }
}
