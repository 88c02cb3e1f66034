package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.core.internal.PythonRepr;
import dev.jlightning.data.Batch;
import dev.jlightning.logging.Logger;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.trainer.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.bytedeco.pytorch.Optimizer;

/**
 * Logs the learning rate (and optionally momentum and weight decay) of every optimizer's param groups.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.LearningRateMonitor}, with Lightning's naming and timing:
 * names are {@code lr-<Optimizer>} ({@code lr-Adam-1} for a second Adam), the scheduler config's {@code name} when
 * given, {@code /pg1}, {@code /pg2} or the group's name for several groups, and {@code -momentum} /
 * {@code -weight_decay} suffixes. Epoch-interval schedulers are logged at each epoch start, step-interval ones at each
 * batch start that passes {@code logEveryNSteps}, optimizers without a scheduler at both; rows go straight to the
 * loggers at the logger step counter, without an {@code epoch} value, and every value is also put into the
 * Trainer's callback metrics so other callbacks can monitor it.
 *
 * <p>Values keep Lightning's types where LibTorch loses them: a momentum or weight decay of zero is logged as the int
 * {@code 0}, as PyTorch's defaults are ints.
 */
public final class LearningRateMonitor implements Callback {

    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(LearningRateMonitor.class);

    private final Optional<Interval> loggingInterval;
    private final boolean logMomentum;
    private final boolean logWeightDecay;

    private final Map<String, List<Number>> lrs = new LinkedHashMap<>();

    /**
     * The names of the last logging call and what they were computed from: the run's config and optimizer lists and
     * every optimizer's group count and group names. Lightning computes the names anew at every call; they change
     * only with those, so a call that finds them unchanged reuses the names (and the remapping still runs).
     */
    private Names cachedNames;
    private final Map<Optimizer, ParamGroups> views = new IdentityHashMap<>();
    private final Map<String, Number> lastMomentumValues = new LinkedHashMap<>();
    private final Map<String, Number> lastWeightDecayValues = new LinkedHashMap<>();

    /** Lightning's defaults: both intervals, no momentum, no weight decay. */
    public LearningRateMonitor() {
        this(builder());
    }

    private LearningRateMonitor(Builder b) {
        this.loggingInterval = b.loggingInterval;
        this.logMomentum = b.logMomentum;
        this.logWeightDecay = b.logWeightDecay;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every lr logged so far, by name, in logging order. Lightning: {@code lr_monitor.lrs}. */
    public Map<String, List<Number>> lrs() {
        Map<String, List<Number>> copy = new LinkedHashMap<>();
        lrs.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(new ArrayList<>(v))));
        return Collections.unmodifiableMap(copy);
    }

    /** The last momentum logged per name. Lightning: {@code last_momentum_values}. */
    public Map<String, Number> lastMomentumValues() {
        return Collections.unmodifiableMap(lastMomentumValues);
    }

    /** The last weight decay logged per name. Lightning: {@code last_weight_decay_values}. */
    public Map<String, Number> lastWeightDecayValues() {
        return Collections.unmodifiableMap(lastWeightDecayValues);
    }

    @Override
    public void onTrainStart(Trainer trainer, LightningModule module) {
        if (trainer.loggers().isEmpty()) {
            throw new MisconfigurationException("Cannot use `LearningRateMonitor` callback with `Trainer` that has no"
                    + " logger.");
        }
        // a new run: its optimizers, and names computed from them
        views.clear();
        cachedNames = null;
        if (logMomentum) {
            List<Optimizer> checked = trainer.lrSchedulerConfigs().isEmpty() ? trainer.optimizers()
                    : schedulerOptimizers(trainer);
            boolean missing = checked.stream().map(this::view).anyMatch(g -> !g.hasMomentum() && !g.hasBetas());
            if (missing) {
                LOG.warn("You have set log_momentum=True, but some optimizers do not have momentum. This will log a"
                        + " value 0 for the momentum.");
            }
        }
        // names are checked now so duplicate group names fail before the first batch; every name starts with an
        // empty history, as Lightning's {name: [] for name in names}
        Names names = names(trainer);
        lrs.clear();
        lastMomentumValues.clear();
        lastWeightDecayValues.clear();
        names.perScheduler.forEach(list -> list.forEach(n -> lrs.put(n, new ArrayList<>())));
        names.perUnscheduled.forEach(list -> list.forEach(n -> lrs.put(n, new ArrayList<>())));
    }

    @Override
    public void onTrainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        if (loggingInterval.isPresent() && loggingInterval.get() == Interval.EPOCH) {
            return;
        }
        if (!shouldUpdateLogs(trainer)) {
            return;
        }
        log(trainer, loggingInterval.isEmpty() ? Optional.of(Interval.STEP) : Optional.empty());
    }

    @Override
    public void onTrainEpochStart(Trainer trainer, LightningModule module) {
        if (loggingInterval.isPresent() && loggingInterval.get() == Interval.STEP) {
            return;
        }
        log(trainer, loggingInterval.isEmpty() ? Optional.of(Interval.EPOCH) : Optional.empty());
    }

    /** Lightning's {@code should_update_logs}: every {@code logEveryNSteps} stepping batches, or when stopping. */
    private static boolean shouldUpdateLogs(Trainer trainer) {
        int n = trainer.config().logEveryNSteps();
        if (n == 0) {
            return false;
        }
        return (trainer.loggerStep() + 1) % n == 0 || trainer.shouldStop();
    }

    /** @param interval the config interval to log, or empty for every config (Lightning's "any") */
    private void log(Trainer trainer, Optional<Interval> interval) {
        Names names = cachedNames != null && cachedNames.stillValid(trainer) ? cachedNames : names(trainer);
        remapKeys(names.perScheduler);
        remapKeys(names.perUnscheduled);
        Map<String, Number> stats = new LinkedHashMap<>();
        List<LRSchedulerConfig> configs = trainer.lrSchedulerConfigs();
        for (int i = 0; i < configs.size(); i++) {
            LRSchedulerConfig c = configs.get(i);
            if (interval.isEmpty() || interval.get() == c.interval()) {
                stats.putAll(stats(c.scheduler().optimizer(), names.perScheduler.get(i)));
            }
        }
        for (int i = 0; i < names.unscheduled.size(); i++) {
            stats.putAll(stats(names.unscheduled.get(i), names.perUnscheduled.get(i)));
        }
        if (stats.isEmpty()) {
            return;
        }
        long step = trainer.loggerStep();
        for (Logger l : trainer.loggers()) {
            l.logMetrics(stats, step);
        }
        // Lightning stores torch.tensor(value), a float32, among the callback metrics
        stats.forEach((k, v) -> trainer.putCallbackMetric(k, (float) v.doubleValue()));
    }

    private Map<String, Number> stats(Optimizer optimizer, List<String> groupNames) {
        ParamGroups groups = view(optimizer);
        Map<String, Number> out = new LinkedHashMap<>();
        for (int g = 0; g < groupNames.size() && g < groups.size(); g++) {
            String name = groupNames.get(g);
            double lr = groups.lr(g);
            lrs.computeIfAbsent(name, k -> new ArrayList<>()).add(lr);
            out.put(name, lr);
            if (logMomentum) {
                Number m = pythonNumber(groups.momentum(g).orElse(0.0));
                lastMomentumValues.put(name + "-momentum", m);
                out.put(name + "-momentum", m);
            }
            if (logWeightDecay) {
                if (!groups.hasWeightDecay()) {
                    throw new MisconfigurationException("log_weight_decay=True but " + groups.optimizerName()
                            + " has no weight_decay");
                }
                Number wd = pythonNumber(groups.weightDecay(g));
                lastWeightDecayValues.put(name + "-weight_decay", wd);
                out.put(name + "-weight_decay", wd);
            }
        }
        return out;
    }

    /** PyTorch's momentum and weight_decay defaults are the int 0, written "0" in metrics.csv. */
    private static Number pythonNumber(double v) {
        return v == 0.0 ? (Number) Integer.valueOf(0) : (Number) Double.valueOf(v);
    }

    private static List<Optimizer> schedulerOptimizers(Trainer trainer) {
        List<Optimizer> out = new ArrayList<>();
        for (LRSchedulerConfig c : trainer.lrSchedulerConfigs()) {
            out.add(c.scheduler().optimizer());
        }
        return out;
    }

    /** The view of an optimizer's groups, made once per run: it reads the groups afresh at every call. */
    private ParamGroups view(Optimizer optimizer) {
        return views.computeIfAbsent(optimizer, ParamGroups::of);
    }

    /** The names of every logged value, computed as Lightning does at each logging call, and what they depend on. */
    private static final class Names {
        final List<List<String>> perScheduler = new ArrayList<>();
        final List<Optimizer> unscheduled = new ArrayList<>();
        final List<List<String>> perUnscheduled = new ArrayList<>();
        private final List<LRSchedulerConfig> configs;
        private final List<Optimizer> optimizers;
        private final List<ParamGroups> groups = new ArrayList<>();
        private final List<List<Optional<String>>> groupNames = new ArrayList<>();

        Names(Trainer trainer) {
            this.configs = trainer.lrSchedulerConfigs();
            this.optimizers = trainer.optimizers();
        }

        /** Records the groups the names were computed from. */
        void saw(ParamGroups g) {
            List<Optional<String>> names = new ArrayList<>(g.size());
            for (int i = 0; i < g.size(); i++) {
                names.add(g.name(i));
            }
            groups.add(g);
            groupNames.add(names);
        }

        /** Whether the trainer's configs, optimizers, group counts and group names are still those. */
        boolean stillValid(Trainer trainer) {
            if (trainer.lrSchedulerConfigs() != configs || trainer.optimizers() != optimizers) {
                return false;
            }
            for (int k = 0; k < groups.size(); k++) {
                ParamGroups g = groups.get(k);
                List<Optional<String>> names = groupNames.get(k);
                if (g.size() != names.size()) {
                    return false;
                }
                for (int i = 0; i < names.size(); i++) {
                    if (!g.name(i).equals(names.get(i))) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private Names names(Trainer trainer) {
        Names names = new Names(trainer);
        Map<String, Integer> seenTypes = new HashMap<>();
        Set<Long> seenOptimizers = new LinkedHashSet<>();
        for (LRSchedulerConfig c : trainer.lrSchedulerConfigs()) {
            Optimizer opt = c.scheduler().optimizer();
            ParamGroups groups = view(opt);
            names.saw(groups);
            String base = c.name().orElse("lr-" + groups.optimizerName());
            names.perScheduler.add(groupNames(groups, base, c.name().isEmpty(), seenTypes));
            seenOptimizers.add(opt.address());
        }
        for (Optimizer opt : trainer.optimizers()) {
            if (!seenOptimizers.add(opt.address())) {
                continue;
            }
            ParamGroups groups = view(opt);
            names.saw(groups);
            names.unscheduled.add(opt);
            names.perUnscheduled.add(groupNames(groups, "lr-" + groups.optimizerName(), true, seenTypes));
        }
        cachedNames = names;
        return names;
    }

    private static List<String> groupNames(ParamGroups groups, String base, boolean counts,
            Map<String, Integer> seenTypes) {
        String type = groups.optimizerName();
        if (counts) {
            seenTypes.merge(type, 1, Integer::sum);
        }
        int n = groups.size();
        List<String> pgNames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pgNames.add(groups.name(i).orElse("pg" + (i + 1)));
        }
        Set<String> duplicates = new LinkedHashSet<>();
        for (String s : pgNames) {
            if (Collections.frequency(pgNames, s) > 1) {
                duplicates.add(s);
            }
        }
        if (!duplicates.isEmpty()) {
            // Lightning names the optimizer before adding the duplicate-class suffix
            throw new MisconfigurationException("A single `Optimizer` cannot have multiple parameter groups with"
                    + " identical `name` values. " + base + " has duplicated parameter group names "
                    + PythonRepr.set(duplicates));
        }
        Integer count = seenTypes.get(type);
        final String name = count != null && count > 1 ? base + "-" + (count - 1) : base;
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (n > 1) {
                out.add(name + "/" + pgNames.get(i));
            } else {
                out.add(groups.name(i).filter(pg -> !pg.isEmpty()).map(pg -> name + "/" + pg).orElse(name));
            }
        }
        return out;
    }

    /**
     * Lightning's {@code _remap_keys}: when a single-group optimizer gains groups, its history under {@code lr-X}
     * moves to {@code lr-X/pg1} (re-inserted last); a name seen for the first time gets an empty history.
     */
    private void remapKeys(List<List<String>> names) {
        for (List<String> group : names) {
            for (String newName : group) {
                String oldName = newName.replace("/pg1", "");
                if (newName.contains("/pg1") && lrs.containsKey(oldName)) {
                    lrs.put(newName, lrs.remove(oldName));
                } else if (!lrs.containsKey(newName)) {
                    lrs.put(newName, new ArrayList<>());
                }
            }
        }
    }

    /** Builder with Lightning's argument names. */
    public static final class Builder {
        private Optional<Interval> loggingInterval = Optional.empty();
        private boolean logMomentum;
        private boolean logWeightDecay;

        private Builder() {
        }

        /** "step", "epoch", or never called for Lightning's {@code None} (each scheduler at its own interval). */
        public Builder loggingInterval(String interval) {
            if (!"step".equals(interval) && !"epoch".equals(interval)) {
                throw new MisconfigurationException("logging_interval should be `step` or `epoch` or `None`, got "
                        + interval);
            }
            this.loggingInterval = Optional.of(Interval.fromKey(interval));
            return this;
        }

        public Builder logMomentum(boolean logMomentum) {
            this.logMomentum = logMomentum;
            return this;
        }

        public Builder logWeightDecay(boolean logWeightDecay) {
            this.logWeightDecay = logWeightDecay;
            return this;
        }

        public LearningRateMonitor build() {
            return new LearningRateMonitor(this);
        }
    }
}
