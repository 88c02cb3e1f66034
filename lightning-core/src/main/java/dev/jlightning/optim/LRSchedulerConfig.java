package dev.jlightning.optim;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.core.internal.Suggestions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the Trainer drives one scheduler: its interval, frequency, monitored metric and display name.
 *
 * <p>Counterpart of Lightning's {@code LRSchedulerConfig} ({@code lightning/pytorch/utilities/types.py}) and of the
 * scheduler dict returned from {@code configure_optimizers}: {@code scheduler}, {@code interval} ("epoch" by
 * default), {@code frequency} (1), {@code reduce_on_plateau} (true for a {@link ReduceLROnPlateau}),
 * {@code monitor}, {@code strict} (true) and {@code name}. Build it with {@link #builder(LRScheduler)} or from a
 * {@code Map} with Lightning's keys via {@link #fromMap(Map)}; both validate eagerly and are stricter than Lightning:
 * an unknown key is an error with a suggestion instead of a warning, and {@code frequency < 1} is rejected here
 * instead of failing mid-training.
 */
public final class LRSchedulerConfig {

    /** The keys Lightning accepts in a scheduler dict. */
    public static final List<String> KEYS =
            List.of("scheduler", "name", "interval", "frequency", "reduce_on_plateau", "monitor", "strict");

    private final LRScheduler scheduler;
    private final Interval interval;
    private final int frequency;
    private final boolean reduceOnPlateau;
    private final Optional<String> monitor;
    private final boolean strict;
    private final Optional<String> name;
    private final boolean intervalGiven;

    private LRSchedulerConfig(Builder b) {
        this.scheduler = b.scheduler;
        this.interval = b.interval;
        this.frequency = b.frequency;
        this.reduceOnPlateau = b.reduceOnPlateau.orElse(b.scheduler instanceof ReduceLROnPlateau);
        this.monitor = b.monitor;
        this.strict = b.strict;
        this.name = b.name;
        this.intervalGiven = b.intervalGiven;
    }

    /** Starts a config for {@code scheduler} with Lightning's defaults. */
    public static Builder builder(LRScheduler scheduler) {
        return new Builder(scheduler);
    }

    /** A config with all defaults, as Lightning makes for a bare scheduler. */
    public static LRSchedulerConfig of(LRScheduler scheduler) {
        return builder(scheduler).build();
    }

    /**
     * Builds a config from a map with Lightning's keys ({@code "scheduler"}, {@code "interval"}, ...).
     *
     * @throws MisconfigurationException for an unknown key (with the closest valid key), a missing scheduler, or a
     *     value of the wrong type or range
     */
    public static LRSchedulerConfig fromMap(Map<String, ?> map) {
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new MisconfigurationException("Found unsupported key '" + key + "' in the lr scheduler dict."
                        + Suggestions.didYouMean(key, KEYS) + " Accepted keys: " + KEYS);
            }
        }
        Object s = map.get("scheduler");
        if (!(s instanceof LRScheduler)) {
            throw new MisconfigurationException("The lr scheduler dict must have the key \"scheduler\" with its item"
                    + " being an lr scheduler" + (s == null ? "" : "; got " + s.getClass().getSimpleName()));
        }
        Builder b = builder((LRScheduler) s);
        if (map.containsKey("interval")) {
            b.interval(Interval.fromKey(map.get("interval")));
        }
        if (map.containsKey("frequency")) {
            Object f = map.get("frequency");
            if (!(f instanceof Integer || f instanceof Long)) {
                throw new MisconfigurationException("The \"frequency\" key in lr scheduler dict must be a positive"
                        + " integer but is " + describe(f));
            }
            long fv = ((Number) f).longValue();
            if (fv < 1 || fv > Integer.MAX_VALUE) {
                throw new MisconfigurationException("The \"frequency\" key in lr scheduler dict must be a positive"
                        + " integer (>= 1) but is " + fv);
            }
            b.frequency((int) fv);
        }
        if (map.containsKey("reduce_on_plateau")) {
            b.reduceOnPlateau(bool(map, "reduce_on_plateau"));
        }
        if (map.containsKey("monitor") && map.get("monitor") != null) {
            b.monitor(string(map, "monitor"));
        }
        if (map.containsKey("strict")) {
            b.strict(bool(map, "strict"));
        }
        if (map.containsKey("name") && map.get("name") != null) {
            b.name(string(map, "name"));
        }
        return b.build();
    }

    private static boolean bool(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Boolean)) {
            throw new MisconfigurationException("The \"" + key + "\" key in lr scheduler dict must be true or false"
                    + " but is " + describe(v));
        }
        return (Boolean) v;
    }

    private static String string(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof String)) {
            throw new MisconfigurationException("The \"" + key + "\" key in lr scheduler dict must be a string"
                    + " but is " + describe(v));
        }
        return (String) v;
    }

    private static String describe(Object v) {
        return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
    }

    public LRScheduler scheduler() {
        return scheduler;
    }

    public Interval interval() {
        return interval;
    }

    /** Whether {@code interval} was given explicitly (Lightning warns about OneCycleLR's default "epoch"). */
    public boolean intervalGiven() {
        return intervalGiven;
    }

    public int frequency() {
        return frequency;
    }

    public boolean reduceOnPlateau() {
        return reduceOnPlateau;
    }

    public Optional<String> monitor() {
        return monitor;
    }

    public boolean strict() {
        return strict;
    }

    /** The LearningRateMonitor name override. */
    public Optional<String> name() {
        return name;
    }

    /** A copy with another monitor, used when a top-level {@code "monitor"} applies to a bare plateau scheduler. */
    LRSchedulerConfig withMonitor(String newMonitor) {
        Builder b = toBuilder();
        b.monitor(newMonitor);
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = builder(scheduler).frequency(frequency).reduceOnPlateau(reduceOnPlateau).strict(strict);
        if (intervalGiven) {
            b.interval(interval);
        }
        monitor.ifPresent(b::monitor);
        name.ifPresent(b::name);
        return b;
    }

    /** The config as Lightning's dict, for display and checkpoints (the scheduler as its class name). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scheduler", scheduler.getClass().getSimpleName());
        m.put("name", name.orElse(null));
        m.put("interval", interval.key());
        m.put("frequency", frequency);
        m.put("reduce_on_plateau", reduceOnPlateau);
        m.put("monitor", monitor.orElse(null));
        m.put("strict", strict);
        return m;
    }

    @Override
    public String toString() {
        return "LRSchedulerConfig" + describe();
    }

    /** Builder for {@link LRSchedulerConfig}; validates each value as it is set. */
    public static final class Builder {
        private final LRScheduler scheduler;
        private Interval interval = Interval.EPOCH;
        private boolean intervalGiven;
        private int frequency = 1;
        private Optional<Boolean> reduceOnPlateau = Optional.empty();
        private Optional<String> monitor = Optional.empty();
        private boolean strict = true;
        private Optional<String> name = Optional.empty();

        private Builder(LRScheduler scheduler) {
            if (scheduler == null) {
                throw new MisconfigurationException("The lr scheduler config must have a scheduler, got null");
            }
            this.scheduler = scheduler;
        }

        public Builder interval(Interval interval) {
            if (interval == null) {
                throw new MisconfigurationException("interval must be STEP or EPOCH, got null");
            }
            this.interval = interval;
            this.intervalGiven = true;
            return this;
        }

        /** Step every {@code frequency} intervals; at least 1. */
        public Builder frequency(int frequency) {
            if (frequency < 1) {
                throw new MisconfigurationException("The \"frequency\" key in lr scheduler dict must be a positive"
                        + " integer (>= 1) but is " + frequency);
            }
            this.frequency = frequency;
            return this;
        }

        public Builder reduceOnPlateau(boolean reduceOnPlateau) {
            this.reduceOnPlateau = Optional.of(reduceOnPlateau);
            return this;
        }

        /** The key in the callback metrics whose value a plateau scheduler is fed. */
        public Builder monitor(String monitor) {
            if (monitor == null || monitor.isEmpty()) {
                throw new MisconfigurationException("The \"monitor\" key in lr scheduler dict must be a non-empty"
                        + " metric name");
            }
            this.monitor = Optional.of(monitor);
            return this;
        }

        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** The name LearningRateMonitor logs this scheduler's lr under, instead of {@code lr-<Optimizer>}. */
        public Builder name(String name) {
            if (name == null || name.isEmpty()) {
                throw new MisconfigurationException("The \"name\" key in lr scheduler dict must be a non-empty string");
            }
            this.name = Optional.of(name);
            return this;
        }

        public LRSchedulerConfig build() {
            return new LRSchedulerConfig(this);
        }
    }
}
