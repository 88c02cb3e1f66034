package dev.jlightning.logging.tensorboard;

import dev.jlightning.core.internal.PythonRepr;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a hyperparameter map into the flat name-to-primitive map that TensorBoard's hparams plugin takes.
 *
 * <p>Counterpart of Lightning's {@code _flatten_dict} and {@code _sanitize_params} ({@code
 * lightning_fabric.utilities.logger}) as {@code TensorBoardLogger.log_hyperparams} applies them: nested maps (and
 * records, Lightning's dataclasses) become {@code outer/inner} keys, a list made only of maps becomes
 * {@code list/0/key}, ... (so an empty list vanishes, as in Lightning), and any value that is not a boolean,
 * number or string becomes its Python {@code str()}: {@code [0.9, 0.999]}, {@code None}, {@code {'a': 1}}.
 */
public final class HParams {

    private static final String DELIMITER = "/";

    private HParams() {
    }

    /**
     * Flattens and sanitizes {@code params}, keeping their order.
     *
     * @return a new map whose values are {@link Boolean}, {@link Number} or {@link String} only
     */
    public static Map<String, Object> flattenAndSanitize(Map<String, ?> params) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten(params, "", flat);
        Map<String, Object> sanitized = new LinkedHashMap<>();
        flat.forEach((k, v) -> sanitized.put(k, sanitize(v)));
        return sanitized;
    }

    /**
     * The value as plain data for YAML: records become maps, arrays lists, and maps and collections are copied
     * with their elements converted; booleans, numbers, strings and {@code null} stay as they are, anything else
     * becomes its {@code toString()}.
     */
    public static Object toPlainData(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Number || value instanceof String) {
            return value;
        }
        if (value instanceof Record record) {
            return toPlainData(recordAsMap(record));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), toPlainData(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(v -> copy.add(toPlainData(v)));
            return copy;
        }
        if (value.getClass().isArray()) {
            List<Object> copy = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                copy.add(toPlainData(java.lang.reflect.Array.get(value, i)));
            }
            return copy;
        }
        return value.toString();
    }

    private static void flatten(Map<?, ?> params, String parentKey, Map<String, Object> into) {
        for (Map.Entry<?, ?> e : params.entrySet()) {
            String key = parentKey.isEmpty() ? String.valueOf(e.getKey()) : parentKey + DELIMITER + e.getKey();
            Object v = e.getValue() instanceof Record record ? recordAsMap(record) : e.getValue();
            if (v instanceof Map<?, ?> nested) {
                flatten(nested, key, into);
            } else if (v instanceof List<?> list && list.stream().allMatch(HParams::isMapLike)) {
                for (int i = 0; i < list.size(); i++) {
                    Object item = list.get(i) instanceof Record r ? recordAsMap(r) : list.get(i);
                    flatten((Map<?, ?>) item, key + DELIMITER + i, into);
                }
            } else {
                // A repeated key keeps its first position and takes the later value, as Python dicts do.
                into.put(key, v);
            }
        }
    }

    private static boolean isMapLike(Object o) {
        return o instanceof Map<?, ?> || o instanceof Record;
    }

    private static Object sanitize(Object v) {
        if (v instanceof Boolean || v instanceof String || v instanceof Number) {
            return v;
        }
        return PythonRepr.str(v);
    }

    /** Lightning's {@code dataclasses.asdict}: components in declaration order, nested records converted too. */
    private static Map<String, Object> recordAsMap(Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                c.getAccessor().setAccessible(true);
                Object v = c.getAccessor().invoke(record);
                map.put(c.getName(), v instanceof Record r ? recordAsMap(r) : v);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                throw new IllegalArgumentException("hyperparameter record " + record.getClass().getName()
                        + " cannot be read: component '" + c.getName() + "' failed with " + e, e);
            }
        }
        return map;
    }
}
