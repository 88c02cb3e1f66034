package dev.jlightning.cli;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.internal.Suggestions;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.optim.OptimizerFactory;
import dev.jlightning.optim.PaddleOcrOptimizer;
import dev.jlightning.trainer.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.zeros;

/**
 * The {@code optimizer} and {@code lr_scheduler} sections, or PaddleOCR's {@code Optimizer} block, turned into what
 * {@code configureOptimizers()} returns. Lightning: {@code LightningCLI.configure_optimizers}, which the CLI attaches
 * to a module that has none.
 *
 * <pre>
 * optimizer:
 *   class_path: torch.optim.AdamW          # or AdamW; init_args are torch.optim's keywords
 *   init_args: {lr: 0.001, weight_decay: 0.01}
 * lr_scheduler:
 *   class_path: torch.optim.lr_scheduler.OneCycleLR   # or OneCycleLR, or a PaddlePaddle name
 *   init_args: {max_lr: 0.01, total_steps: 100}
 *   interval: step        # Lightning's scheduler config keys, next to the class
 *   frequency: 1
 *   monitor: val_loss     # ReduceLROnPlateau
 *   name: my_lr           # LearningRateMonitor's column
 * </pre>
 *
 * <p>The sections are checked before anything trains by building them once over a one-element dummy parameter, so
 * that every mistake LRSchedulers and OptimizerFactory know (unknown key, wrong type, value out of range) reports
 * its dotted path first.
 */
final class OptimizerSection {
    static final List<String> SCHEDULER_KEYS = List.of("class_path", "init_args", "interval", "frequency", "monitor",
            "name", "strict");
    private static final List<String> SCHEDULER_PREFIXES = List.of("torch.optim.lr_scheduler.",
            "paddle.optimizer.lr.", "dev.jlightning.optim.", "lightning.pytorch.cli.");

    private final Optional<Map<String, Object>> optimizer;
    private final Optional<Map<String, Object>> scheduler;
    private final Optional<Map<String, Object>> paddle;

    private OptimizerSection(Optional<Map<String, Object>> optimizer, Optional<Map<String, Object>> scheduler,
            Optional<Map<String, Object>> paddle) {
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.paddle = paddle;
    }

    /** Reads and checks the sections of a resolved config; absent ones are empty. */
    static OptimizerSection of(Map<String, Object> config) {
        Optional<Map<String, Object>> optimizer = Optional.ofNullable(config.get("optimizer"))
                .map(v -> classSection("optimizer", v, List.of("class_path", "init_args")));
        Optional<Map<String, Object>> scheduler = Optional.ofNullable(config.get("lr_scheduler"))
                .map(v -> classSection("lr_scheduler", v, SCHEDULER_KEYS));
        Optional<Map<String, Object>> paddle = Optional.ofNullable(config.get("Optimizer")).map(v -> {
            if (!(v instanceof Map)) {
                throw new CliConfigException("Optimizer: expected PaddleOCR's mapping (name, lr, regularizer, ...),"
                        + " got " + Types.show(v));
            }
            return ConfigMaps.asMap(v);
        });
        if (paddle.isPresent() && (optimizer.isPresent() || scheduler.isPresent())) {
            throw new CliConfigException("Optimizer: give either PaddleOCR's `Optimizer` block or the `optimizer` /"
                    + " `lr_scheduler` sections, not both");
        }
        if (scheduler.isPresent() && optimizer.isEmpty()) {
            throw new CliConfigException("lr_scheduler: needs an `optimizer` section to schedule");
        }
        OptimizerSection section = new OptimizerSection(optimizer, scheduler, paddle);
        section.dryRun();
        return section;
    }

    boolean isPresent() {
        return optimizer.isPresent() || paddle.isPresent();
    }

    /** The sections as print_config shows them: class_path and init_args, the scheduler keys given. */
    static Map<String, Object> printable(String key, Map<String, Object> section) {
        Map<String, Object> out = new LinkedHashMap<>(section);
        out.putIfAbsent("init_args", new LinkedHashMap<>());
        return out;
    }

    private static Map<String, Object> classSection(String key, Object value, List<String> accepted) {
        Map<String, Object> s;
        if (value instanceof String) {
            s = new LinkedHashMap<>();
            s.put("class_path", value);
        } else if (value instanceof Map) {
            s = ConfigMaps.asMap(value);
        } else {
            throw new CliConfigException(key + ": expected a class name or a mapping with class_path and init_args,"
                    + " got " + Types.show(value));
        }
        for (String k : s.keySet()) {
            if (!accepted.contains(k)) {
                throw new CliConfigException(key + "." + k + ": unknown key;" + Suggestions.didYouMean(k, accepted)
                        + " Accepted: " + String.join(", ", accepted));
            }
        }
        if (!(s.get("class_path") instanceof String)) {
            throw new CliConfigException(key + ".class_path: expected a class name, got "
                    + Types.show(s.get("class_path")));
        }
        Object args = s.get("init_args");
        if (args != null && !(args instanceof Map)) {
            throw new CliConfigException(key + ".init_args: expected a mapping, got " + Types.show(args));
        }
        return s;
    }

    private Map<String, Object> optimizerMap() {
        Map<String, Object> s = optimizer.orElseThrow();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", s.get("class_path"));
        if (s.get("init_args") != null) {
            map.putAll(ConfigMaps.asMap(s.get("init_args")));
        }
        return map;
    }

    private Map<String, Object> schedulerMap() {
        Map<String, Object> s = scheduler.orElseThrow();
        String name = (String) s.get("class_path");
        for (String prefix : SCHEDULER_PREFIXES) {
            if (name.startsWith(prefix)) {
                name = name.substring(prefix.length());
            }
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        if (s.get("init_args") != null) {
            map.putAll(ConfigMaps.asMap(s.get("init_args")));
        }
        // Lightning's own lightning.pytorch.cli.ReduceLROnPlateau takes the monitor as an init arg
        if ("ReduceLROnPlateau".equals(name) && map.containsKey("monitor")) {
            map.remove("monitor");
        }
        return map;
    }

    private Optional<String> monitor() {
        Map<String, Object> s = scheduler.orElseThrow();
        Object m = s.get("monitor");
        if (m == null && s.get("init_args") instanceof Map) {
            m = ConfigMaps.asMap(s.get("init_args")).get("monitor");
        }
        if (m != null && !(m instanceof String)) {
            throw new CliConfigException("lr_scheduler.monitor: expected str, got " + Types.show(m));
        }
        return Optional.ofNullable((String) m);
    }

    /** Builds everything once over a dummy parameter, then frees it: the early check of every key and value. */
    private void dryRun() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = zeros(1).requires_grad_(true);
            List<Tensor> params = List.of(p);
            if (paddle.isPresent()) {
                PaddleOcrOptimizer.create(params, paddle.get(), 1, 1);
                return;
            }
            if (optimizer.isEmpty()) {
                return;
            }
            Optimizer opt = OptimizerFactory.create(params, optimizerMap(), "optimizer.init_args");
            if (scheduler.isPresent()) {
                Map<String, Object> s = scheduler.get();
                LRScheduler sched = LRSchedulers.create(opt, schedulerMap());
                if ("ReduceLROnPlateau".equals(schedulerMap().get("name")) && monitor().isEmpty()) {
                    throw new CliConfigException("lr_scheduler.monitor: ReduceLROnPlateau needs the metric to"
                            + " monitor, e.g. monitor: val_loss");
                }
                dev.jlightning.optim.LRSchedulerConfig.fromMap(schedulerConfig(sched, s));
            }
            opt.close();
        } catch (CliConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            String where = paddle.isPresent() || e.getMessage().startsWith("optimizer") ? "" : "lr_scheduler.init_args: ";
            throw new CliConfigException(where + e.getMessage(), e);
        }
    }

    private Map<String, Object> schedulerConfig(LRScheduler sched, Map<String, Object> s) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("scheduler", sched);
        for (String key : List.of("interval", "frequency", "strict", "name")) {
            if (s.get(key) != null) {
                config.put(key, s.get(key));
            }
        }
        monitor().ifPresent(m -> config.put("monitor", m));
        return config;
    }

    /** What {@code configureOptimizers()} returns for this config, built when the Trainer asks for it. */
    Function<LightningModule, Object> factory() {
        return module -> {
            if (paddle.isPresent()) {
                Trainer trainer = module.trainer().orElseThrow();
                int accumulate = trainer.config().accumulateGradBatches();
                int stepsPerEpoch = (trainer.numTrainingBatches() + accumulate - 1) / accumulate;
                return PaddleOcrOptimizer.create(module.parameters(), paddle.get(), trainer.config().maxEpochs(),
                        stepsPerEpoch);
            }
            Optimizer opt = OptimizerFactory.create(module.parameters(), optimizerMap());
            if (scheduler.isEmpty()) {
                return opt;
            }
            LRScheduler sched = LRSchedulers.create(opt, schedulerMap());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("optimizer", opt);
            result.put("lr_scheduler", schedulerConfig(sched, scheduler.get()));
            return result;
        };
    }
}
