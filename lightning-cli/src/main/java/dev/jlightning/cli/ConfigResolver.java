package dev.jlightning.cli;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.internal.Suggestions;
import dev.jlightning.logging.Logger;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the run's config the way LightningCLI's parser does: the defaults, then each {@code --config} file in
 * order, then the dotted overrides in order; then checks every key and value, so that mistakes surface before
 * anything is built. The result is the fully resolved config that {@code --print_config} prints and
 * {@link SaveConfigCallback} saves.
 */
final class ConfigResolver {
    static final List<String> SECTIONS = List.of("seed_everything", "trainer", "model", "data", "optimizer",
            "lr_scheduler", "Optimizer", "ckpt_path");
    private static final List<String> CLASS_SECTIONS = List.of("model", "data", "optimizer", "lr_scheduler");

    private ConfigResolver() {
    }

    /** One {@code --key=value} from the command line, the value still text. */
    record Override(String key, String value) {
    }

    /**
     * The merged config before checks: defaults, files, overrides.
     *
     * @param defaultModel the model class given to the CLI in code (Lightning's {@code model_class}), if any
     */
    static Map<String, Object> merge(Optional<Class<?>> defaultModel, Optional<Class<?>> defaultData,
            List<Path> files, List<Override> overrides) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("seed_everything", true);
        config.put("trainer", TrainerOptions.defaults());
        config.put("model", defaultModel.map(c -> (Object) classOnly(c)).orElse(null));
        config.put("data", defaultData.map(c -> (Object) classOnly(c)).orElse(null));
        config.put("ckpt_path", null);
        for (Path file : files) {
            ConfigMaps.merge(config, ConfigMaps.readFile(file));
            normalizeSections(config);
        }
        for (Override o : overrides) {
            ConfigMaps.set(config, redirect(o.key()), ConfigMaps.parseValue(o.value()));
            normalizeSections(config);
        }
        return config;
    }

    private static Map<String, Object> classOnly(Class<?> type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_path", type.getName());
        return m;
    }

    /** {@code --model.hidden} means {@code --model.init_args.hidden}, as jsonargparse reads it. */
    static String redirect(String key) {
        String[] parts = key.split("\\.", 3);
        if (parts.length >= 2 && CLASS_SECTIONS.contains(parts[0])) {
            List<String> own = "lr_scheduler".equals(parts[0]) ? OptimizerSection.SCHEDULER_KEYS
                    : List.of("class_path", "init_args");
            // a near miss of the section's own keys (intervall) is reported as such, not passed to the class
            if (!own.contains(parts[1]) && Suggestions.closest(parts[1], own).isEmpty()) {
                return parts[0] + ".init_args." + key.substring(parts[0].length() + 1);
            }
        }
        return key;
    }

    private static void normalizeSections(Map<String, Object> config) {
        for (String s : CLASS_SECTIONS) {
            if (config.get(s) instanceof String) {
                config.put(s, classOnly((String) config.get(s)));
            }
        }
    }

    private static Map<String, Object> classOnly(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class_path", name);
        return m;
    }

    /**
     * Checks every key and value and returns the resolved config: sections in LightningCLI's order, the trainer's
     * every option, class sections with their fully qualified class and (where known) every argument's default.
     *
     * @throws CliConfigException naming the first mistake's dotted path
     */
    static Map<String, Object> resolve(Map<String, Object> merged) {
        for (String key : merged.keySet()) {
            if (!SECTIONS.contains(key)) {
                throw new CliConfigException(key + ": unknown key;" + Suggestions.didYouMean(key, SECTIONS)
                        + " Accepted: " + String.join(", ", SECTIONS));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Object seed = merged.get("seed_everything");
        if (!(seed instanceof Boolean || seed instanceof Integer || seed instanceof Long)) {
            throw new CliConfigException("seed_everything: expected bool or int, got " + Types.show(seed));
        }
        out.put("seed_everything", seed);
        out.put("trainer", trainer(merged.get("trainer")));
        Object model = merged.get("model");
        if (model == null) {
            throw new CliConfigException("model: missing; give the LightningModule to run: model: {class_path: ...,"
                    + " init_args: {...}} (or --model=<class>)");
        }
        out.put("model", Components.resolved("model", model, LightningModule.class));
        Object data = merged.get("data");
        if (data == null) {
            throw new CliConfigException("data: missing; give the LightningDataModule: data: {class_path: ...,"
                    + " init_args: {...}} (or --data=<class>)");
        }
        out.put("data", Components.resolved("data", data, LightningDataModule.class));
        OptimizerSection.of(merged);
        for (String key : List.of("optimizer", "lr_scheduler", "Optimizer")) {
            if (merged.get(key) != null) {
                out.put(key, merged.get(key) instanceof Map && !"Optimizer".equals(key)
                        ? OptimizerSection.printable(key, ConfigMaps.asMap(merged.get(key))) : merged.get(key));
            }
        }
        Object ckpt = merged.get("ckpt_path");
        if (ckpt != null && !(ckpt instanceof String)) {
            throw new CliConfigException("ckpt_path: expected str or null, got " + Types.show(ckpt));
        }
        out.put("ckpt_path", ckpt);
        return out;
    }

    private static Map<String, Object> trainer(Object section) {
        if (!(section instanceof Map)) {
            throw new CliConfigException("trainer: expected a mapping of Trainer options, got " + Types.show(section));
        }
        Map<String, Object> given = ConfigMaps.asMap(section);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : given.keySet()) {
            if (!TrainerOptions.byKey().containsKey(key)) {
                throw new CliConfigException("trainer." + key + ": unknown key;"
                        + Suggestions.didYouMean(key, TrainerOptions.byKey().keySet()) + " Accepted: "
                        + String.join(", ", TrainerOptions.byKey().keySet()));
            }
        }
        Map<String, Object> scalars = new LinkedHashMap<>();
        for (TrainerOptions.Option o : TrainerOptions.ALL) {
            Object v = given.containsKey(o.key()) ? given.get(o.key()) : o.defaultValue();
            if ("callbacks".equals(o.key()) && v != null) {
                v = resolvedList("trainer.callbacks", v, Callback.class);
            } else if ("logger".equals(o.key()) && v != null && !(v instanceof Boolean)) {
                v = resolvedList("trainer.logger", v, Logger.class);
            } else {
                scalars.put(o.key(), v);
            }
            out.put(o.key(), v);
        }
        // the scalar options' own checks (ranges, names), on a builder that is thrown away
        TrainerOptions.apply(Trainer.builder(), scalars);
        return out;
    }

    private static Object resolvedList(String path, Object value, Class<?> expected) {
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Object item : (List<?>) value) {
                out.add(Components.resolved(path + "[" + i++ + "]", item, expected));
            }
            return out;
        }
        return Components.resolved(path, value, expected);
    }
}
