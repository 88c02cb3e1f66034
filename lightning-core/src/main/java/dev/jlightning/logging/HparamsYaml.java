package dev.jlightning.logging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes {@code hparams.yaml} as Lightning's {@code save_hparams_to_yaml} does: keys sorted, block style,
 * {@code {}} for no hyperparameters.
 */
public final class HparamsYaml {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private HparamsYaml() {
    }

    /** The YAML text for {@code params}. */
    public static String toYaml(Map<String, ?> params) {
        if (params.isEmpty()) {
            return "{}\n";
        }
        try {
            return YAML.writeValueAsString(params);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write hyperparameters as YAML", e);
        }
    }

    /** Writes {@code params} to {@code file}, replacing it. */
    public static void write(Path file, Map<String, ?> params) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, toYaml(params), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a hyperparameter file back. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path file) {
        try {
            Map<String, Object> m = YAML.readValue(file.toFile(), LinkedHashMap.class);
            return m == null ? new LinkedHashMap<>() : m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
