package dev.jlightning.callbacks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a checkpoint filename template the way Lightning's {@code ModelCheckpoint._format_checkpoint_name} does.
 *
 * <p>{@code "{epoch}-{val_loss:.2f}"} becomes {@code "epoch=3-val_loss=0.12"}: every {@code {name}} or
 * {@code {name:spec}} is replaced by {@code name=} and the value formatted with Python's format spec (without
 * {@code name=} when auto-insertion is off). Names may contain dots or slashes. A name that is not among the metrics
 * is formatted as 0, as Lightning does. The default template is {@code "{epoch}-{step}"}.
 */
final class CheckpointFilename {

    static final String DEFAULT_TEMPLATE = "{epoch}-{step}";
    // Lightning's pattern is r"(\{.*?)[:\}]"; each match ends at the first ':' or '}'
    private static final Pattern GROUP = Pattern.compile("\\{([^:}]*)(?::([^}]*))?}");

    private CheckpointFilename() {
    }

    static String format(String template, Map<String, Number> metrics, boolean autoInsertMetricName) {
        String t = template == null || template.isEmpty() ? DEFAULT_TEMPLATE : template;
        StringBuilder out = new StringBuilder();
        Matcher m = GROUP.matcher(t);
        int last = 0;
        while (m.find()) {
            out.append(t, last, m.start());
            String name = m.group(1);
            String spec = m.group(2) == null ? "" : m.group(2);
            Number value = metrics.getOrDefault(name, 0L);
            if (autoInsertMetricName) {
                out.append(name).append('=');
            }
            try {
                out.append(PythonFormatSpec.format(value, spec));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ModelCheckpoint filename '" + template + "': " + e.getMessage(), e);
            }
            last = m.end();
        }
        out.append(t.substring(last));
        return out.toString();
    }

    /** Names used in a template, longest first, as Lightning sorts them. */
    static List<String> names(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = GROUP.matcher(template == null || template.isEmpty() ? DEFAULT_TEMPLATE : template);
        while (m.find()) {
            names.add(m.group(1));
        }
        names.sort(Comparator.comparingInt(String::length).reversed());
        return names;
    }

    static Map<String, Number> copy(Map<String, ? extends Number> metrics) {
        return new LinkedHashMap<>(metrics);
    }
}
