package dev.jlightning.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.jlightning.logging.tensorboard.HParams;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a run's hyperparameters to {@code hparams.yaml} the way Lightning's {@code save_hparams_to_yaml} does
 * with PyYAML's {@code yaml.dump}: block style, keys sorted, list items not indented, {@code {}} for no
 * hyperparameters, floats in PyYAML's spelling ({@code 0.1}, {@code 1.0e-05}, {@code .nan}, {@code .inf}).
 * Strings that would load as another type are quoted; the quoting style is Jackson's (double quotes, UTF-8
 * text) rather than PyYAML's (single quotes, escaped non-ASCII), which loads to the same values.
 */
public final class HparamsYaml {

    /** Lightning's {@code NAME_HPARAMS_FILE}. */
    public static final String FILE_NAME = "hparams.yaml";

    private static final ObjectMapper MAPPER = mapper();

    private HparamsYaml() {
    }

    /**
     * Writes {@code hparams} to {@code file}, replacing it.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, Map<String, ?> hparams) {
        try {
            Files.writeString(file, toYaml(hparams));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write hyperparameters to " + file, e);
        }
    }

    /** The YAML text for {@code hparams}; values are first made plain by {@link HParams#toPlainData(Object)}. */
    public static String toYaml(Map<String, ?> hparams) {
        Object plain = HParams.toPlainData(hparams);
        if (plain instanceof Map<?, ?> m && m.isEmpty()) {
            return "{}\n";
        }
        try {
            return MAPPER.writeValueAsString(plain);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render hyperparameters as YAML", e);
        }
    }

    /** PyYAML's {@code represent_float}: Python's repr, lower case, with {@code .0} added before a bare exponent. */
    public static String pyYamlFloat(double d) {
        if (Double.isNaN(d)) {
            return ".nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? ".inf" : "-.inf";
        }
        String repr = PythonFormat.str(d);
        return !repr.contains(".") && repr.contains("e") ? repr.replaceFirst("e", ".0e") : repr;
    }

    private static ObjectMapper mapper() {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .disable(YAMLGenerator.Feature.INDENT_ARRAYS)
                .build();
        SimpleModule floats = new SimpleModule("python-floats");
        JsonSerializer<Number> asPyYaml = new JsonSerializer<>() {
            @Override
            public void serialize(Number value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeNumber(pyYamlFloat(value.doubleValue()));
            }
        };
        floats.addSerializer(Double.class, asPyYaml);
        floats.addSerializer(Float.class, asPyYaml);
        floats.addSerializer(java.math.BigDecimal.class, asPyYaml);
        return new ObjectMapper(factory)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .registerModule(floats);
    }

    /** Reads a hyperparameter file back as plain data. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path file) {
        try {
            Map<String, Object> m = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), java.util.LinkedHashMap.class);
            return m == null ? new java.util.LinkedHashMap<>() : m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
