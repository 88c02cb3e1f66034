package dev.jlightning.logging;

import dev.jlightning.core.LogOptions;
import dev.jlightning.core.MisconfigurationException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects the values a module logs during one loop (training, validation or test) and reduces them per epoch.
 *
 * <p>Counterpart of Lightning's {@code ResultCollection}. Values are stored as float32, as Lightning turns every
 * logged number into a default-dtype tensor; epoch means are weighted by batch size and accumulated in float32
 * ({@code sum += value * batch_size; mean = sum / total_batch_size}). A metric logged with both {@code on_step} and
 * {@code on_epoch} is "forked": the logger sees {@code name_step} and {@code name_epoch}, the callback metrics see
 * those two and the plain {@code name}.
 */
public final class MetricCollector {

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** The entries in logging order, walked by index on every step without an iterator. */
    private final java.util.ArrayList<Entry> ordered = new java.util.ArrayList<>();
    private LoggingHook hook = LoggingHook.TRAINING_STEP;
    private long currentBatchSize = 1;
    private MetricSync sync = MetricSync.NONE;

    /**
     * Combines values across the ranks of a distributed run; one value per rank in, the combined value out.
     * Lightning: the {@code _Sync} of a {@code _ResultMetric}.
     */
    public interface MetricSync {
        /** A single process: every value is already the job's. */
        MetricSync NONE = (values, reduceFx) -> values;

        /** Reduces {@code values} elementwise across ranks with "mean", "sum", "max" or "min". */
        double[] reduce(double[] values, String reduceFx);
    }

    /** How values logged with {@code syncDist} are combined across ranks. */
    public void setSync(MetricSync sync) {
        this.sync = sync;
    }

    /** Sets the hook whose defaults apply to the next {@code log} calls. */
    public void setHook(LoggingHook hook) {
        this.hook = hook;
    }

    public LoggingHook hook() {
        return hook;
    }

    /** The batch size inferred from the current batch, used when a log call gives none. */
    public void setCurrentBatchSize(long batchSize) {
        this.currentBatchSize = batchSize;
    }

    /**
     * Records a value.
     *
     * @throws MisconfigurationException if the same name was already logged in this loop with different
     *     step/epoch/reduction options, or {@code on_step} and {@code on_epoch} are both false
     */
    public void log(String name, double value, LogOptions options) {
        if (name == null || name.isEmpty()) {
            throw new MisconfigurationException("log() needs a non-empty metric name");
        }
        boolean onStep = options.onStep().orElse(hook.defaultOnStep());
        boolean onEpoch = options.onEpoch().orElse(hook.defaultOnEpoch());
        if (hook == LoggingHook.TRAIN_EPOCH_HOOK && onStep) {
            throw new MisconfigurationException("You can't log '" + name + "' with on_step=True in "
                    + hook.description() + "; epoch-level hooks only accept on_step=False");
        }
        if (!onStep && !onEpoch) {
            throw new MisconfigurationException("log('" + name + "') with on_step=False and on_epoch=False records"
                    + " nothing; set at least one of them to True");
        }
        long batchSize = options.batchSize().orElse(currentBatchSize);
        float v = (float) value;
        Entry e = entries.get(name);
        if (e == null) {
            e = new Entry(name, onStep, onEpoch, options.isProgBar(), options.isLogger(), options.reduceFx());
            entries.put(name, e);
            ordered.add(e);
        } else if (e.onStep != onStep || e.onEpoch != onEpoch || !e.reduceFx.equals(options.reduceFx())) {
            throw new MisconfigurationException("You called log('" + name + "') twice in the same loop with"
                    + " different on_step/on_epoch/reduce_fx arguments; use the same options or another name");
        }
        e.sync = options.isSyncDist() ? sync : MetricSync.NONE;
        e.update(v, batchSize);
        if (onStep && e.sync != MetricSync.NONE) {
            // Lightning syncs a step value when it is logged; the epoch accumulators keep this rank's own value
            e.setStepValue((float) e.sync.reduce(new double[] {v}, e.reduceFx)[0]);
        }
    }

    /**
     * Whether {@code name} (or the metric it was forked from, {@code x_step} / {@code x_epoch}) was logged with
     * {@code syncDist}, so its value is the same on every rank.
     */
    public boolean isSynced(String name) {
        Entry e = entries.get(name);
        if (e == null && (name.endsWith("_step") || name.endsWith("_epoch"))) {
            e = entries.get(name.substring(0, name.lastIndexOf('_')));
        }
        return e != null && e.sync != MetricSync.NONE;
    }

    /**
     * Hands the step value just logged under {@code name} to {@code sink}: as {@code name_step} and {@code name}
     * when forked, as {@code name} otherwise; nothing for an epoch-only metric.
     */
    public void publishStepValue(String name, java.util.function.BiConsumer<String, Double> sink) {
        Entry e = entries.get(name);
        if (e == null || !e.onStep || !e.hasStepValue) {
            return;
        }
        if (e.onEpoch) {
            sink.accept(e.stepName, e.boxedStepValue());
        }
        sink.accept(name, e.boxedStepValue());
    }

    /** Forgets the step values of the last batch; epoch accumulators are kept. */
    public void resetStep() {
        for (int i = 0; i < ordered.size(); i++) {
            Entry e = ordered.get(i);
            e.setStepValue(Float.NaN);
            e.hasStepValue = false;
        }
    }

    /**
     * Everything collected so far as plain JSON data, so a checkpoint taken in the middle of an epoch resumes with
     * the same epoch aggregates. Lightning keeps its {@code ResultCollection} out of checkpoints, and a run resumed
     * mid-epoch logs epoch means over the resumed batches only; here they equal the uninterrupted run's.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("current_batch_size", currentBatchSize);
        Map<String, Object> all = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("on_step", e.onStep);
            m.put("on_epoch", e.onEpoch);
            m.put("prog_bar", e.progBar);
            m.put("logger", e.logger);
            m.put("reduce_fx", e.reduceFx);
            // float32 values survive the trip through a JSON double exactly; NaN has no JSON literal
            m.put("step_value", e.hasStepValue && !Float.isNaN(e.stepValue) ? (Object) (double) e.stepValue
                    : (e.hasStepValue ? "nan" : null));
            m.put("accumulated", floatData(e.accumulated));
            m.put("total_batch_size", floatData(e.totalBatchSize));
            m.put("count", e.count);
            all.put(name, m);
        });
        out.put("entries", all);
        return out;
    }

    /**
     * Restores {@link #stateDict()}.
     *
     * @throws IllegalArgumentException if the map is not of that shape
     */
    public void loadStateDict(Map<String, ?> state) {
        Map<String, Entry> restored = new LinkedHashMap<>();
        Object all = state.get("entries");
        if (!(all instanceof Map)) {
            throw new IllegalArgumentException("metric collector state: 'entries' must be a map, got " + all);
        }
        for (Map.Entry<?, ?> item : ((Map<?, ?>) all).entrySet()) {
            if (!(item.getValue() instanceof Map)) {
                throw new IllegalArgumentException("metric collector state: entry " + item.getKey() + " is not a map");
            }
            Map<?, ?> m = (Map<?, ?>) item.getValue();
            Object reduce = m.get("reduce_fx");
            if (!java.util.List.of("mean", "sum", "max", "min").contains(reduce)) {
                throw new IllegalArgumentException("metric collector state: entry " + item.getKey()
                        + " has reduce_fx " + reduce + ", expected mean, sum, max or min");
            }
            Entry e = new Entry(String.valueOf(item.getKey()), bool(m, "on_step"), bool(m, "on_epoch"),
                    bool(m, "prog_bar"), bool(m, "logger"), (String) reduce);
            Object step = m.get("step_value");
            e.hasStepValue = step != null;
            e.setStepValue(step == null ? Float.NaN : toFloat(step));
            e.accumulated = toFloat(m.get("accumulated"));
            e.totalBatchSize = toFloat(m.get("total_batch_size"));
            Object count = m.get("count");
            if (!(count instanceof Number)) {
                throw new IllegalArgumentException("metric collector state: entry " + item.getKey()
                        + " needs a numeric count");
            }
            e.count = ((Number) count).longValue();
            restored.put(String.valueOf(item.getKey()), e);
        }
        Object batchSize = state.get("current_batch_size");
        if (batchSize instanceof Number) {
            currentBatchSize = ((Number) batchSize).longValue();
        }
        entries.clear();
        entries.putAll(restored);
        ordered.clear();
        ordered.addAll(restored.values());
    }

    private static Object floatData(float v) {
        return Float.isFinite(v) ? (Object) (double) v : (Float.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    }

    private static float toFloat(Object v) {
        if (v instanceof Number) {
            return ((Number) v).floatValue();
        }
        if ("nan".equals(v)) {
            return Float.NaN;
        }
        if ("inf".equals(v)) {
            return Float.POSITIVE_INFINITY;
        }
        if ("-inf".equals(v)) {
            return Float.NEGATIVE_INFINITY;
        }
        throw new IllegalArgumentException("metric collector state: expected a number, got " + v);
    }

    private static boolean bool(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Boolean)) {
            throw new IllegalArgumentException("metric collector state: '" + key + "' must be true or false, got " + v);
        }
        return (Boolean) v;
    }

    /** Forgets everything, at the start of an epoch or loop. */
    public void reset() {
        entries.clear();
        ordered.clear();
    }

    /** Whether the current batch logged any step value; lets the loop skip building empty maps. */
    public boolean hasStepValues() {
        for (int i = 0; i < ordered.size(); i++) {
            Entry e = ordered.get(i);
            if (e.onStep && e.hasStepValue) {
                return true;
            }
        }
        return false;
    }

    /** Step values for the logger: {@code name} or {@code name_step} when forked. */
    public Map<String, Double> stepLoggerMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        copyStepLoggerMetrics(out);
        return out;
    }

    /** Step values for callbacks: the forked name plus the plain name. */
    public Map<String, Double> stepCallbackMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.onStep && e.hasStepValue) {
                if (e.onEpoch) {
                    out.put(name + "_step", (double) e.stepValue);
                }
                out.put(name, (double) e.stepValue);
            }
        });
        return out;
    }

    /** Copies the step values marked {@code prog_bar} into {@code target}, allocating nothing. */
    public void copyStepProgressBarMetrics(Map<String, Double> target) {
        for (int i = 0; i < ordered.size(); i++) {
            Entry e = ordered.get(i);
            if (e.onStep && e.hasStepValue && e.progBar) {
                target.put(e.stepKey(), e.boxedStepValue());
            }
        }
    }

    /** Copies the step values meant for loggers into {@code target}, allocating nothing. */
    public void copyStepLoggerMetrics(Map<String, Double> target) {
        for (int i = 0; i < ordered.size(); i++) {
            Entry e = ordered.get(i);
            if (e.onStep && e.hasStepValue && e.logger) {
                target.put(e.stepKey(), e.boxedStepValue());
            }
        }
    }

    /** Step values marked {@code prog_bar}. */
    public Map<String, Double> stepProgressBarMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.onStep && e.hasStepValue && e.progBar) {
                out.put(e.onEpoch ? name + "_step" : name, (double) e.stepValue);
            }
        });
        return out;
    }

    /** Epoch aggregates for the logger: {@code name} or {@code name_epoch} when forked. */
    public Map<String, Double> epochLoggerMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.onEpoch && e.count > 0 && e.logger) {
                out.put(e.onStep ? name + "_epoch" : name, (double) e.compute());
            }
        });
        return out;
    }

    /** Epoch aggregates for callbacks: the forked name plus the plain name. */
    public Map<String, Double> epochCallbackMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.onEpoch && e.count > 0) {
                double v = e.compute();
                if (e.onStep) {
                    out.put(name + "_epoch", v);
                }
                out.put(name, v);
            }
        });
        return out;
    }

    /** Epoch aggregates marked {@code prog_bar}. */
    public Map<String, Double> epochProgressBarMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.onEpoch && e.count > 0 && e.progBar) {
                out.put(e.onStep ? name + "_epoch" : name, (double) e.compute());
            }
        });
        return out;
    }

    private static final class Entry {
        final String name;
        /** {@code name_step}, made once: the forked name is needed on every step. */
        final String stepName;
        final boolean onStep;
        final boolean onEpoch;
        final boolean progBar;
        final boolean logger;
        final String reduceFx;
        /** Written only through {@link #setStepValue}, which drops {@link #boxedStep}. */
        float stepValue = Float.NaN;
        /**
         * The step value as the {@code Double} the metric maps hold, boxed once per step: the callback metrics and
         * the logged metrics both take it on every step.
         */
        private Double boxedStep;
        boolean hasStepValue;
        float accumulated;
        float totalBatchSize;
        long count;
        MetricSync sync = MetricSync.NONE;
        /** The synced epoch value, computed once because every computation is a collective all ranks must join. */
        float syncedEpochValue;
        boolean syncedEpochValid;

        Entry(String name, boolean onStep, boolean onEpoch, boolean progBar, boolean logger, String reduceFx) {
            this.name = name;
            this.stepName = name + "_step";
            this.onStep = onStep;
            this.onEpoch = onEpoch;
            this.progBar = progBar;
            this.logger = logger;
            this.reduceFx = reduceFx;
        }

        void setStepValue(float v) {
            stepValue = v;
            boxedStep = null;
        }

        Double boxedStepValue() {
            Double boxed = boxedStep;
            if (boxed == null) {
                boxed = (double) stepValue;
                boxedStep = boxed;
            }
            return boxed;
        }

        /** The step value's name for loggers and the progress bar: {@code name_step} when forked. */
        String stepKey() {
            return onEpoch ? stepName : name;
        }

        void update(float v, long batchSize) {
            syncedEpochValid = false;
            setStepValue(v);
            hasStepValue = true;
            switch (reduceFx) {
                case "mean":
                    // float32 arithmetic, as Lightning's tensors: value.mean() * batch_size, summed
                    accumulated = count == 0 ? v * (float) batchSize : accumulated + v * (float) batchSize;
                    totalBatchSize += (float) batchSize;
                    break;
                case "sum":
                    accumulated = count == 0 ? v : accumulated + v;
                    break;
                case "max":
                    accumulated = count == 0 ? v : Math.max(accumulated, v);
                    break;
                case "min":
                    accumulated = count == 0 ? v : Math.min(accumulated, v);
                    break;
                default:
                    throw new IllegalStateException(reduceFx);
            }
            count++;
        }

        float compute() {
            if (sync == MetricSync.NONE) {
                return "mean".equals(reduceFx) ? accumulated / totalBatchSize : accumulated;
            }
            if (!syncedEpochValid) {
                if ("mean".equals(reduceFx)) {
                    // the mean over every rank's samples: sums of value * batch_size and of batch sizes, then divide
                    double[] sums = sync.reduce(new double[] {accumulated, totalBatchSize}, "sum");
                    syncedEpochValue = (float) (sums[0] / sums[1]);
                } else {
                    syncedEpochValue = (float) sync.reduce(new double[] {accumulated}, reduceFx)[0];
                }
                syncedEpochValid = true;
            }
            return syncedEpochValue;
        }
    }
}
