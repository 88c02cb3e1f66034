package dev.jlightning.cli;

import dev.jlightning.core.Callback;
import dev.jlightning.logging.Logger;
import dev.jlightning.trainer.TrainerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code trainer} section: every Trainer option by its Lightning name, with its type, Lightning's default and
 * the builder call it makes. One table, so that a new builder option is one line here. Lightning: the
 * {@code Trainer.__init__} signature that jsonargparse turns into {@code --trainer.*} arguments.
 *
 * <p>A {@code null} value (the default of most keys, as in Lightning's signature) leaves the builder's default, so a
 * config that names only {@code max_epochs} builds exactly the Trainer {@code Trainer.builder().maxEpochs(n)} does.
 */
final class TrainerOptions {

    /** Applies one converted value to the builder; {@code path} is the key's dotted path for messages. */
    @FunctionalInterface
    interface Setter {
        void apply(TrainerConfig.Builder builder, Object value, String path);
    }

    /** One trainer key: its Lightning name, its type as help shows it, Lightning's default, its builder call. */
    record Option(String key, String type, Object defaultValue, String help, Setter setter) {
    }

    static final List<Option> ALL = List.of(
            new Option("accelerator", "str", "auto", "\"cpu\", \"cuda\" (\"gpu\") or \"auto\"",
                    (b, v, p) -> b.accelerator(string(p, v))),
            new Option("strategy", "str", "auto", "\"auto\", \"ddp\", \"ddp_find_unused_parameters_true\","
                    + " \"single_device\"", (b, v, p) -> b.strategy(string(p, v))),
            new Option("devices", "int | \"auto\"", "auto", "devices per node", (b, v, p) -> {
                if (!"auto".equals(v)) {
                    b.devices(integer(p, v, "int or \"auto\""));
                }
            }),
            new Option("num_nodes", "int", 1, "machines in the job", (b, v, p) -> b.numNodes(integer(p, v, "int"))),
            new Option("precision", "int | str | null", null, "\"32-true\" (default), \"64-true\", \"bf16-mixed\","
                    + " \"16-mixed\", \"bf16-true\", \"16-true\" or 64, 32, 16, \"bf16\"", (b, v, p) -> {
                        if (v instanceof Integer i) {
                            b.precision(i);
                        } else {
                            b.precision(string(p, v));
                        }
                    }),
            new Option("logger", "bool | logger | list[logger] | null", null,
                    "true: the default CSVLogger; false: none; class_path/init_args mappings",
                    TrainerOptions::applyLogger),
            new Option("callbacks", "callback | list[callback] | null", null,
                    "class_path/init_args mappings (LearningRateMonitor, ModelCheckpoint, EarlyStopping, ...)",
                    (b, v, p) -> b.callbacks(Components.instantiateList(p, v, Callback.class)
                            .toArray(new Callback[0]))),
            new Option("fast_dev_run", "bool | int", false, "run n batches of each stage as a smoke test",
                    (b, v, p) -> {
                        if (v instanceof Boolean) {
                            b.fastDevRun((Boolean) v);
                        } else {
                            b.fastDevRun(integer(p, v, "bool or int"));
                        }
                    }),
            new Option("max_epochs", "int | null", null, "stop after this many epochs (-1: no limit)",
                    (b, v, p) -> b.maxEpochs(integer(p, v, "int or null"))),
            new Option("min_epochs", "int | null", null, "train at least this many epochs",
                    (b, v, p) -> b.minEpochs(integer(p, v, "int or null"))),
            new Option("max_steps", "int", -1, "stop after this many optimizer steps (-1: no limit)",
                    (b, v, p) -> b.maxSteps(integer(p, v, "int"))),
            new Option("limit_train_batches", "int | float | null", null, "batches (int) or fraction (float)",
                    (b, v, p) -> {
                        if (v instanceof Double) {
                            b.limitTrainBatches((double) v);
                        } else {
                            b.limitTrainBatches(integer(p, v, "int, float or null"));
                        }
                    }),
            new Option("limit_val_batches", "int | float | null", null, "batches (int) or fraction (float)",
                    (b, v, p) -> {
                        if (v instanceof Double) {
                            b.limitValBatches((double) v);
                        } else {
                            b.limitValBatches(integer(p, v, "int, float or null"));
                        }
                    }),
            new Option("limit_test_batches", "int | float | null", null, "batches (int) or fraction (float)",
                    (b, v, p) -> {
                        if (v instanceof Double) {
                            b.limitTestBatches((double) v);
                        } else {
                            b.limitTestBatches(integer(p, v, "int, float or null"));
                        }
                    }),
            new Option("limit_predict_batches", "int | null", null, "batches",
                    (b, v, p) -> b.limitPredictBatches(integer(p, v, "int or null"))),
            new Option("val_check_interval", "int | float | null", null,
                    "validate every n batches (int) or fraction of an epoch (float)", (b, v, p) -> {
                        if (v instanceof Double) {
                            b.valCheckInterval((double) v);
                        } else {
                            b.valCheckInterval(integer(p, v, "int, float or null"));
                        }
                    }),
            new Option("check_val_every_n_epoch", "int | null", 1,
                    "validate every n epochs; null: count val_check_interval across epochs", null),
            new Option("num_sanity_val_steps", "int | null", null, "validation batches before training (-1: all)",
                    (b, v, p) -> b.numSanityValSteps(integer(p, v, "int or null"))),
            new Option("log_every_n_steps", "int | null", null, "how often step metrics reach the loggers",
                    (b, v, p) -> b.logEveryNSteps(integer(p, v, "int or null"))),
            new Option("enable_checkpointing", "bool | null", null,
                    "add a default ModelCheckpoint when none is among the callbacks (default: true)",
                    (b, v, p) -> b.enableCheckpointing(bool(p, v))),
            new Option("enable_progress_bar", "bool | null", null, "show a progress bar",
                    (b, v, p) -> b.enableProgressBar(bool(p, v))),
            new Option("enable_model_summary", "bool | null", null, "print a model summary at fit start",
                    (b, v, p) -> b.enableModelSummary(bool(p, v))),
            new Option("accumulate_grad_batches", "int", 1, "batches per optimizer step",
                    (b, v, p) -> b.accumulateGradBatches(integer(p, v, "int"))),
            new Option("gradient_clip_val", "int | float | null", null, "clip gradients to this norm or value",
                    (b, v, p) -> b.gradientClipVal(number(p, v))),
            new Option("gradient_clip_algorithm", "str | null", null, "\"norm\" (default) or \"value\"",
                    (b, v, p) -> b.gradientClipAlgorithm(string(p, v))),
            new Option("deterministic", "bool | \"warn\" | null", null,
                    "LibTorch's deterministic algorithms (null: leave the process setting)", (b, v, p) -> {
                        if (v instanceof Boolean flag) {
                            b.deterministic(flag);
                        } else {
                            b.deterministic(string(p, v));
                        }
                    }),
            new Option("use_distributed_sampler", "bool", true, "shard the data across ranks",
                    (b, v, p) -> b.useDistributedSampler(bool(p, v))),
            new Option("detect_anomaly", "bool", false, "stop at the first non-finite loss",
                    (b, v, p) -> b.detectAnomaly(bool(p, v))),
            new Option("default_root_dir", "str | null", null, "where logs and checkpoints go (default: .)",
                    (b, v, p) -> b.defaultRootDir(Path.of(string(p, v)))));

    private static final Map<String, Option> BY_KEY = index();

    private TrainerOptions() {
    }

    private static Map<String, Option> index() {
        Map<String, Option> map = new LinkedHashMap<>();
        for (Option o : ALL) {
            map.put(o.key(), o);
        }
        return Collections.unmodifiableMap(map);
    }

    static Map<String, Option> byKey() {
        return BY_KEY;
    }

    /** Every key with Lightning's default, in the order of Lightning's signature: the section print_config shows. */
    static Map<String, Object> defaults() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Option o : ALL) {
            out.put(o.key(), o.defaultValue());
        }
        return out;
    }

    /**
     * Applies the resolved section to a fresh builder. Keys are known (checked before); null values and values
     * equal to the default of a key whose default is not null leave the builder's own default.
     */
    static TrainerConfig.Builder apply(TrainerConfig.Builder builder, Map<String, Object> section) {
        for (Map.Entry<String, Object> e : section.entrySet()) {
            Option o = BY_KEY.get(e.getKey());
            String path = "trainer." + e.getKey();
            Object v = e.getValue();
            if ("check_val_every_n_epoch".equals(o.key())) {
                if (v == null) {
                    builder.checkValAcrossEpochs();
                } else {
                    call(path, () -> builder.checkValEveryNEpoch(integer(path, v, "int or null")));
                }
                continue;
            }
            if (v == null || v.equals(o.defaultValue())) {
                continue;
            }
            call(path, () -> o.setter().apply(builder, v, path));
        }
        return builder;
    }

    /** Builder checks throw Lightning's message; the dotted path is put in front. */
    private static void call(String path, Runnable r) {
        try {
            r.run();
        } catch (CliConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new CliConfigException(path + ": " + e.getMessage(), e);
        }
    }

    private static void applyLogger(TrainerConfig.Builder b, Object v, String path) {
        if (v instanceof Boolean) {
            b.logger((Boolean) v);
            return;
        }
        List<Logger> loggers = new ArrayList<>(Components.instantiateList(path, v, Logger.class));
        b.logger(loggers.toArray(new Logger[0]));
    }

    static int integer(String path, Object v, String expected) {
        if (v instanceof Integer || v instanceof Long) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        throw new CliConfigException(path + ": expected " + expected + ", got " + Types.show(v));
    }

    static double number(String path, Object v) {
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        throw new CliConfigException(path + ": expected int, float or null, got " + Types.show(v));
    }

    static boolean bool(String path, Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw new CliConfigException(path + ": expected bool, got " + Types.show(v));
    }

    static String string(String path, Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        throw new CliConfigException(path + ": expected str, got " + Types.show(v));
    }
}
