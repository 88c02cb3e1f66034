package dev.jlightning.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config tree as plain data (ordered maps, lists, scalars): reading YAML files and override values, merging
 * later sources over earlier ones, setting a dotted path, writing YAML back.
 */
final class ConfigMaps {
    /**
     * YAML 1.1 (SnakeYAML, PyYAML) reads {@code 1e-3} as a string because it has no dot; jsonargparse then converts
     * it where a float is expected. Converting such strings once here gives every reader a number.
     */
    private static final Pattern EXPONENT_FLOAT = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)[eE][-+]?\\d+");
    static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private ConfigMaps() {
    }

    /** A config file: a mapping (an empty file is an empty mapping). */
    static Map<String, Object> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliConfigException("--config: file not found: " + file);
        }
        Object root;
        try {
            root = YAML.readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new CliConfigException("--config " + file + ": not valid YAML: " + message(e), e);
        }
        if (root == null) {
            return new LinkedHashMap<>();
        }
        if (!(root instanceof Map)) {
            throw new CliConfigException("--config " + file + ": must be a mapping of sections (trainer, model, ...),"
                    + " got " + Types.pythonType(root));
        }
        return asMap(normalize(root));
    }

    /** A command-line value: YAML ({@code 20}, {@code true}, {@code null}, {@code [1, 2]}), else the text itself. */
    static Object parseValue(String text) {
        try {
            return normalize(YAML.readValue(text, Object.class));
        } catch (IOException e) {
            return text;
        }
    }

    /** A deep, mutable copy with exponent-only floats read as numbers. */
    static Object normalize(Object value) {
        if (value instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                out.put(String.valueOf(e.getKey()), normalize(e.getValue()));
            }
            return out;
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) value) {
                out.add(normalize(item));
            }
            return out;
        }
        if (value instanceof String && EXPONENT_FLOAT.matcher((String) value).matches()) {
            return Double.parseDouble((String) value);
        }
        return value;
    }

    /**
     * Merges {@code over} into {@code base}: mappings merge key by key, anything else is replaced. A section whose
     * {@code class_path} changes is replaced whole, since the old class's {@code init_args} do not apply to the new.
     */
    static void merge(Map<String, Object> base, Map<String, ?> over) {
        for (Map.Entry<String, ?> e : over.entrySet()) {
            Object mine = base.get(e.getKey());
            Object theirs = e.getValue();
            if (mine instanceof Map && theirs instanceof Map && sameClass(asMap(mine), asMap(theirs))) {
                merge(asMap(mine), asMap(theirs));
            } else {
                base.put(e.getKey(), normalize(theirs));
            }
        }
    }

    private static boolean sameClass(Map<String, Object> a, Map<String, Object> b) {
        return !b.containsKey("class_path") || !a.containsKey("class_path")
                || String.valueOf(a.get("class_path")).equals(String.valueOf(b.get("class_path")));
    }

    /** Sets {@code dotted} (e.g. {@code trainer.max_epochs}) to {@code value}, creating mappings on the way. */
    static void set(Map<String, Object> root, String dotted, Object value) {
        String[] parts = dotted.split("\\.", -1);
        Map<String, Object> node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = node.get(parts[i]);
            if (!(child instanceof Map)) {
                child = new LinkedHashMap<String, Object>();
                node.put(parts[i], child);
            }
            node = asMap(child);
        }
        Map<String, Object> single = new LinkedHashMap<>();
        single.put(parts[parts.length - 1], value);
        merge(node, single);
    }

    /** The tree as YAML text, {@code null} written as {@code null}. */
    static String toYaml(Map<String, Object> config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the config as YAML", e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    private static String message(IOException e) {
        return e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                : e.getMessage();
    }
}
