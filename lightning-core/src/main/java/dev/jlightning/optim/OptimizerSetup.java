package dev.jlightning.optim;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.core.internal.PythonRepr;
import dev.jlightning.core.internal.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.pytorch.Optimizer;

/**
 * The optimizers and scheduler configs of a run, normalised from whatever {@code configureOptimizers()} returned and
 * validated before the first batch.
 *
 * <p>Counterpart of Lightning's {@code _init_optimizers_and_lr_schedulers} ({@code core/optimizer.py}). The accepted
 * shapes and their order of matching are Lightning's; the checks are stricter where Lightning silently misbehaves:
 * unknown keys are errors with a suggestion, a top-level {@code monitor} that would be ignored is an error, and
 * several optimizers in automatic optimization point to manual optimization.
 */
public final class OptimizerSetup {

    private static final Logger LOG = LogManager.getLogger(OptimizerSetup.class);
    private static final List<String> OPTIMIZER_DICT_KEYS = List.of("optimizer", "lr_scheduler", "monitor");
    private static final List<String> MANUAL_IGNORED_KEYS = List.of("reduce_on_plateau", "monitor", "strict");

    private final List<Optimizer> optimizers;
    private final List<LRSchedulerConfig> schedulerConfigs;

    private OptimizerSetup(List<Optimizer> optimizers, List<LRSchedulerConfig> schedulerConfigs) {
        this.optimizers = List.copyOf(optimizers);
        this.schedulerConfigs = List.copyOf(schedulerConfigs);
    }

    public List<Optimizer> optimizers() {
        return optimizers;
    }

    public List<LRSchedulerConfig> schedulerConfigs() {
        return schedulerConfigs;
    }

    /** The schedulers in config order. */
    public List<LRScheduler> schedulers() {
        List<LRScheduler> out = new ArrayList<>(schedulerConfigs.size());
        for (LRSchedulerConfig c : schedulerConfigs) {
            out.add(c.scheduler());
        }
        return out;
    }

    /**
     * Normalises and validates a {@code configureOptimizers()} result.
     *
     * @param returned what the module returned
     * @param automaticOptimization whether the Trainer steps the optimizer (Lightning's default) or the module does
     * @throws MisconfigurationException naming the problem and the fix
     */
    public static OptimizerSetup parse(Object returned, boolean automaticOptimization) {
        List<Optimizer> optimizers = new ArrayList<>();
        List<Object> schedulerItems = new ArrayList<>();
        List<Optional<String>> topLevelMonitors = new ArrayList<>();

        if (returned == null) {
            LOG.warn("`LightningModule.configureOptimizers` returned null, this fit will run with no optimizer");
            return new OptimizerSetup(List.of(), List.of());
        } else if (returned instanceof Optimizer) {
            optimizers.add((Optimizer) returned);
        } else if (returned instanceof OptimizerConfig) {
            addTyped((OptimizerConfig) returned, optimizers, schedulerItems, topLevelMonitors, true);
        } else if (returned instanceof Map) {
            addDict(asStringMap(returned), optimizers, schedulerItems, topLevelMonitors, true);
        } else if (returned instanceof List && ((List<?>) returned).isEmpty()) {
            // Lightning parses [] as a list of no optimizer dicts; like None it leaves nothing to step
            LOG.warn("`LightningModule.configureOptimizers` returned an empty list, this fit will run with no"
                    + " optimizer");
            return new OptimizerSetup(List.of(), List.of());
        } else if (returned instanceof List) {
            List<?> list = (List<?>) returned;
            if (list.size() == 2 && list.get(0) instanceof List) {
                for (Object o : (List<?>) list.get(0)) {
                    optimizers.add(requireOptimizer(o));
                }
                Object second = list.get(1);
                if (second instanceof List) {
                    schedulerItems.addAll((List<?>) second);
                } else {
                    schedulerItems.add(second);
                }
                for (int i = 0; i < schedulerItems.size(); i++) {
                    topLevelMonitors.add(Optional.empty());
                }
            } else if (!list.isEmpty() && list.stream().allMatch(o -> o instanceof Map)) {
                // Lightning never reads a per-dict top-level "monitor" in the list shape, even for one dict
                for (Object o : list) {
                    addDict(asStringMap(o), optimizers, schedulerItems, topLevelMonitors, false);
                }
            } else if (!list.isEmpty() && list.stream().allMatch(o -> o instanceof OptimizerConfig)) {
                for (Object o : list) {
                    addTyped((OptimizerConfig) o, optimizers, schedulerItems, topLevelMonitors, false);
                }
            } else if (!list.isEmpty() && list.stream().allMatch(o -> o instanceof Optimizer)) {
                for (Object o : list) {
                    optimizers.add((Optimizer) o);
                }
            } else {
                throw unknownConfiguration(returned);
            }
        } else {
            throw unknownConfiguration(returned);
        }

        List<LRSchedulerConfig> configs = new ArrayList<>();
        for (int i = 0; i < schedulerItems.size(); i++) {
            configs.add(toConfig(schedulerItems.get(i), topLevelMonitors.get(i), automaticOptimization));
        }
        validateOptimizerCount(optimizers, automaticOptimization);
        validateAttached(optimizers, configs);
        return new OptimizerSetup(optimizers, configs);
    }

    private static void addTyped(OptimizerConfig c, List<Optimizer> optimizers, List<Object> schedulerItems,
            List<Optional<String>> monitors, boolean monitorAllowed) {
        optimizers.add(c.optimizer());
        List<LRSchedulerConfig> scheds = c.schedulers();
        if (c.monitor().isPresent()) {
            // the typed builder wraps a bare scheduler in a default config; it counts as bare when nothing was set
            Object target = scheds.isEmpty() ? null : scheds.size() > 1 ? scheds
                    : scheds.get(0).monitor().isEmpty() ? scheds.get(0).scheduler() : scheds.get(0);
            checkTopLevelMonitor(c.monitor().get(), target, monitorAllowed);
            schedulerItems.add(scheds.get(0).withMonitor(c.monitor().get()));
            monitors.add(Optional.empty());
            return;
        }
        for (LRSchedulerConfig s : scheds) {
            schedulerItems.add(s);
            monitors.add(Optional.empty());
        }
    }

    private static void addDict(Map<String, Object> dict, List<Optimizer> optimizers, List<Object> schedulerItems,
            List<Optional<String>> monitors, boolean monitorAllowed) {
        for (String key : dict.keySet()) {
            if (!OPTIMIZER_DICT_KEYS.contains(key)) {
                throw new MisconfigurationException("Found unsupported key '" + key + "' in the optimizer"
                        + " configuration." + Suggestions.didYouMean(key, OPTIMIZER_DICT_KEYS)
                        + " Accepted keys: " + OPTIMIZER_DICT_KEYS);
            }
        }
        if (!dict.containsKey("optimizer")) {
            throw new MisconfigurationException("The optimizer configuration dict must have the key \"optimizer\";"
                    + " got keys " + dict.keySet());
        }
        optimizers.add(requireOptimizer(dict.get("optimizer")));
        Object monitorValue = dict.get("monitor");
        Optional<String> monitor = Optional.empty();
        if (monitorValue != null) {
            if (!(monitorValue instanceof String)) {
                throw new MisconfigurationException("The \"monitor\" key of the optimizer configuration must be a"
                        + " metric name (string), got " + monitorValue);
            }
            monitor = Optional.of((String) monitorValue);
        }
        Object sched = dict.get("lr_scheduler");
        if (monitor.isPresent()) {
            checkTopLevelMonitor(monitor.get(), sched, monitorAllowed);
        }
        if (sched != null) {
            schedulerItems.add(sched);
            monitors.add(monitor);
        }
    }

    /**
     * Lightning reads a top-level monitor only for a bare ReduceLROnPlateau in the single-dict shape and drops it
     * silently otherwise; a monitor that would be dropped is almost always a mistake, so it is an error here.
     */
    private static void checkTopLevelMonitor(String monitor, Object scheduler, boolean monitorAllowed) {
        if (monitorAllowed && scheduler instanceof ReduceLROnPlateau) {
            return;
        }
        String why;
        if (!monitorAllowed) {
            why = "in a list of optimizer configurations the top-level \"monitor\" is never read";
        } else if (scheduler == null) {
            why = "there is no lr_scheduler to monitor for";
        } else if (scheduler instanceof List) {
            why = "it applies to a single bare ReduceLROnPlateau, not to several schedulers";
        } else if (scheduler instanceof LRScheduler) {
            why = "only a bare ReduceLROnPlateau is fed a monitored value, and the lr_scheduler is a "
                    + scheduler.getClass().getSimpleName() + " (a custom plateau scheduler needs a config with"
                    + " \"reduce_on_plateau\": true)";
        } else {
            why = "the lr_scheduler is a config, whose own \"monitor\" key is used instead";
        }
        throw new MisconfigurationException("The top-level \"monitor\": \"" + monitor + "\" of the optimizer"
                + " configuration would be ignored: " + why + ". Put it in the lr scheduler config:"
                + " {\"scheduler\": scheduler, \"monitor\": \"" + monitor + "\"}");
    }

    private static LRSchedulerConfig toConfig(Object item, Optional<String> topLevelMonitor, boolean automatic) {
        LRSchedulerConfig config;
        if (item instanceof LRSchedulerConfig) {
            config = (LRSchedulerConfig) item;
        } else if (item instanceof LRScheduler) {
            config = LRSchedulerConfig.of((LRScheduler) item);
            if (topLevelMonitor.isPresent() && item instanceof ReduceLROnPlateau) {
                config = config.withMonitor(topLevelMonitor.get());
            }
        } else if (item instanceof Map) {
            Map<String, Object> map = new LinkedHashMap<>(asStringMap(item));
            if (!automatic) {
                List<String> dropped = new ArrayList<>();
                for (String k : MANUAL_IGNORED_KEYS) {
                    if (map.remove(k) != null) {
                        dropped.add(k);
                    }
                }
                if (!dropped.isEmpty()) {
                    LOG.warn("The lr scheduler dict contains the key(s) {}, but the keys will be ignored. You need"
                            + " to call `lr_scheduler.step()` manually in manual optimization.",
                            PythonRepr.list(dropped));
                }
            }
            config = LRSchedulerConfig.fromMap(map);
        } else {
            throw new MisconfigurationException("The lr scheduler item must be an LRScheduler, an LRSchedulerConfig or"
                    + " a Map with Lightning's keys " + LRSchedulerConfig.KEYS + "; got "
                    + (item == null ? "null" : item.getClass().getName()));
        }
        if (automatic) {
            if (config.reduceOnPlateau() && config.monitor().isEmpty()) {
                if (item instanceof LRScheduler) {
                    throw new MisconfigurationException("`configureOptimizers` must include a monitor when a"
                            + " `ReduceLROnPlateau` scheduler is used. For example: {\"optimizer\": optimizer,"
                            + " \"lr_scheduler\": scheduler, \"monitor\": \"metric_to_track\"}");
                }
                throw new MisconfigurationException("The lr scheduler dict must include a monitor when a"
                        + " `ReduceLROnPlateau` scheduler is used. For example: {\"optimizer\": optimizer,"
                        + " \"lr_scheduler\": {\"scheduler\": scheduler, \"monitor\": \"your_loss\"}}");
            }
            if (config.scheduler() instanceof OneCycleLR && config.interval() == Interval.EPOCH) {
                LOG.warn("A `OneCycleLR` scheduler is using 'interval': 'epoch'. Are you sure you didn't mean"
                        + " 'interval': 'step'?");
            }
        }
        return config;
    }

    private static void validateOptimizerCount(List<Optimizer> optimizers, boolean automatic) {
        if (automatic && optimizers.size() > 1) {
            throw new MisconfigurationException("Training with multiple optimizers is only supported with manual"
                    + " optimization, but configureOptimizers returned " + optimizers.size() + " optimizers. Call"
                    + " automaticOptimization(false) in the module's constructor and step each optimizer in"
                    + " trainingStep (see the GAN example).");
        }
    }

    private static void validateAttached(List<Optimizer> optimizers, List<LRSchedulerConfig> configs) {
        for (LRSchedulerConfig c : configs) {
            long address = c.scheduler().optimizer().address();
            boolean found = optimizers.stream().anyMatch(o -> o.address() == address);
            if (!found) {
                throw new MisconfigurationException("Some schedulers are attached with an optimizer that wasn't"
                        + " returned from `configureOptimizers`: " + c.scheduler().getClass().getSimpleName()
                        + " drives an optimizer that is not among the " + optimizers.size()
                        + " returned. Return that optimizer too, or build the scheduler on a returned one.");
            }
        }
    }

    private static Optimizer requireOptimizer(Object o) {
        if (!(o instanceof Optimizer)) {
            throw new MisconfigurationException("Expected an optimizer (org.bytedeco.pytorch.Optimizer), got "
                    + (o == null ? "null" : o.getClass().getName()));
        }
        return (Optimizer) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asStringMap(Object o) {
        Map<?, ?> m = (Map<?, ?>) o;
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new MisconfigurationException("Configuration map keys must be strings, got " + k);
            }
        }
        return (Map<String, Object>) m;
    }

    /** What was returned, in words a user recognises rather than a JDK implementation class name. */
    private static String describe(Object returned) {
        if (returned instanceof List) {
            List<?> list = (List<?>) returned;
            List<String> kinds = new ArrayList<>();
            for (Object o : list) {
                kinds.add(o == null ? "null" : o.getClass().getSimpleName());
            }
            return "a List of " + list.size() + " element(s) " + kinds;
        }
        return "a " + returned.getClass().getSimpleName() + " (" + returned.getClass().getName() + ")";
    }

    private static MisconfigurationException unknownConfiguration(Object returned) {
        return new MisconfigurationException("Unknown configuration for model optimizers: " + describe(returned)
                + ". Output from `model.configureOptimizers()` should be one of:\n"
                + " * an `Optimizer`\n"
                + " * a `List` of `Optimizer`s\n"
                + " * a two-element `List` of (list of optimizers, list of schedulers or scheduler configs)\n"
                + " * a `Map` with keys \"optimizer\", \"lr_scheduler\" (optional), \"monitor\" (optional)\n"
                + " * a `List` of such maps, or `OptimizerConfig`s");
    }
}
