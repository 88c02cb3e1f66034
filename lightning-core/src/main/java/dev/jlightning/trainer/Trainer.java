package dev.jlightning.trainer;

import dev.jlightning.checkpoint.CheckpointLocator;
import dev.jlightning.core.Callback;
import dev.jlightning.core.JavaCppDefaults;
import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.LogOptions;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.GlobalSeed;
import dev.jlightning.logging.DummyLogger;
import dev.jlightning.logging.LoggingHook;
import dev.jlightning.logging.Logger;
import dev.jlightning.logging.MetricCollector;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.strategy.Strategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a {@link LightningModule}: fit, validate, test and predict, with callbacks and loggers.
 *
 * <p>Counterpart of {@code lightning.pytorch.Trainer}. Configure it with {@link #builder()} using Lightning's option
 * names in camelCase ({@code maxEpochs}, {@code accumulateGradBatches}, {@code gradientClipVal}, ...); the options
 * are validated when the Trainer is built. During a run, callbacks read its state: {@link #globalStep()} (optimizer
 * steps), {@link #currentEpoch()}, {@link #callbackMetrics()}, {@link #loggedMetrics()}, {@link #isLastBatch()}.
 * The Trainer is a façade: the loops ({@code FitLoop}, {@code EvaluationLoop}, {@code PredictLoop}) do the work and
 * all hooks go through one dispatcher.
 */
public final class Trainer {

    static {
        // before anything here can start JavaCPP: its settings are read once, when its Pointer class initialises
        JavaCppDefaults.apply();
    }

    private final TrainerConfig config;
    private final List<Callback> callbacks;
    private List<Logger> loggers;
    private boolean loggersConnected;
    private final java.util.Set<String> unsyncedWarned = new java.util.HashSet<>();
    private static final org.apache.logging.log4j.Logger LOG = org.apache.logging.log4j.LogManager.getLogger(
            Trainer.class);
    private final Strategy strategy;
    private final HookDispatcher hooks;
    final TrainerState state = new TrainerState();
    /** Made once: a method reference written at the call site would be a new object on every {@code log}. */
    private final java.util.function.BiConsumer<String, Double> putCallbackMetric = state::putCallbackValue;

    private Trainer(TrainerConfig config) {
        this.config = config;
        config.deterministic.ifPresent(d -> d.apply(config.deviceSpec, config.environment));
        // first: it knows this process's rank, which the default callbacks and loggers depend on
        this.strategy = StrategySelector.create(config);
        this.callbacks = withDefaults(config);
        // fast_dev_run swaps the loggers for a DummyLogger: nothing is written, but a logger is still there
        this.loggers = config.fastDevRun == 0 ? List.copyOf(config.loggers)
                : config.loggers.isEmpty() ? List.of() : List.of(new DummyLogger(config.defaultRootDir));
        this.hooks = new HookDispatcher(this.callbacks);
    }

    /** The user's callbacks followed by those of every {@link DefaultCallbacks} provider on the class path. */
    private static List<Callback> withDefaults(TrainerConfig config) {
        List<Callback> all = new ArrayList<>(config.callbacks);
        for (DefaultCallbacks provider : DefaultCallbackProviders.PROVIDERS) {
            all.addAll(provider.create(config, List.copyOf(all)));
        }
        return List.copyOf(all);
    }

    /** Loaded once: the providers cannot change while the class path does not. */
    private static final class DefaultCallbackProviders {
        static final List<DefaultCallbacks> PROVIDERS = load();

        private static List<DefaultCallbacks> load() {
            List<DefaultCallbacks> out = new ArrayList<>();
            ServiceLoader.load(DefaultCallbacks.class, Trainer.class.getClassLoader()).forEach(out::add);
            return List.copyOf(out);
        }
    }

    public static TrainerConfig.Builder builder() {
        return TrainerConfig.builder();
    }

    static Trainer create(TrainerConfig config) {
        return new Trainer(config);
    }

    /**
     * Seeds LibTorch's generator and the data-order generators of loaders created afterwards, so the same seed gives
     * the same weights and batch orders. Lightning: {@code seed_everything(seed)}.
     *
     * @return the seed
     */
    public static long seedEverything(long seed) {
        torch.manual_seed(seed);
        GlobalSeed.seed(seed);
        return seed;
    }

    // ---------------------------------------------------------------- entry points

    /** Trains on {@code train} without validation. */
    public void fit(LightningModule module, DataLoader train) {
        new FitLoop(this, module, DataSources.of(train, Optional.empty())).run();
    }

    /** Trains on {@code train}, validating on {@code val}. */
    public void fit(LightningModule module, DataLoader train, DataLoader val) {
        new FitLoop(this, module, DataSources.of(train, Optional.of(val))).run();
    }

    /** Trains with the loaders of a data module. */
    public void fit(LightningModule module, LightningDataModule data) {
        new FitLoop(this, module, DataSources.of(data, "fit")).run();
    }

    /**
     * Resumes training from a checkpoint. Lightning: {@code trainer.fit(model, train_dataloaders, ckpt_path=...)}.
     *
     * @param ckptPath a checkpoint file, {@code "last"} (the newest "last" checkpoint of the ModelCheckpoint
     *     callbacks; training starts afresh with a warning when there is none) or {@code "best"} (the ModelCheckpoint's
     *     best model of this process)
     * @throws dev.jlightning.checkpoint.CheckpointException if the file is not a usable checkpoint for this module
     *     and {@code configureOptimizers}; nothing has been trained or changed then
     */
    public void fit(LightningModule module, DataLoader train, String ckptPath) {
        new FitLoop(this, module, DataSources.of(train, Optional.empty()), Optional.of(checkPath(ckptPath))).run();
    }

    /** Resumes training with validation from a checkpoint; see {@link #fit(LightningModule, DataLoader, String)}. */
    public void fit(LightningModule module, DataLoader train, DataLoader val, String ckptPath) {
        new FitLoop(this, module, DataSources.of(train, Optional.of(val)), Optional.of(checkPath(ckptPath))).run();
    }

    /** Resumes training with a data module from a checkpoint; see {@link #fit(LightningModule, DataLoader, String)}. */
    public void fit(LightningModule module, LightningDataModule data, String ckptPath) {
        new FitLoop(this, module, DataSources.of(data, "fit"), Optional.of(checkPath(ckptPath))).run();
    }

    private static String checkPath(String ckptPath) {
        if (ckptPath == null || ckptPath.isBlank()) {
            throw new MisconfigurationException("ckptPath must be a checkpoint file, \"last\" or \"best\"; to start"
                    + " afresh call fit without it");
        }
        return ckptPath;
    }

    /**
     * Saves a full checkpoint of the current run (module, optimizers, schedulers, loop position, callbacks, RNG
     * states, hyperparameters) crash-safely to {@code path}. Lightning: {@code trainer.save_checkpoint(filepath)}.
     *
     * @throws dev.jlightning.checkpoint.CheckpointException if it cannot be written; a previous file at
     *     {@code path} is then unchanged
     */
    public void saveCheckpoint(Path path) {
        saveCheckpoint(path, false);
    }

    /**
     * Saves a checkpoint; with {@code weightsOnly} only the module's weights, hyperparameters and counters.
     * Lightning: {@code trainer.save_checkpoint(filepath, weights_only)}.
     */
    public void saveCheckpoint(Path path, boolean weightsOnly) {
        if (path == null) {
            throw new MisconfigurationException("saveCheckpoint needs a file path, got null");
        }
        new CheckpointConnector(this).save(path, weightsOnly);
    }

    /** The checkpoint the current (or last) fit resumed from. Lightning: {@code trainer.ckpt_path}. */
    public Optional<Path> ckptPath() {
        return Optional.ofNullable(state.ckptPath);
    }

    /**
     * The first callback that locates checkpoints (a {@code ModelCheckpoint}). Lightning:
     * {@code trainer.checkpoint_callback}.
     */
    public Optional<CheckpointLocator> checkpointCallback() {
        for (Callback c : callbacks) {
            if (c instanceof CheckpointLocator) {
                return Optional.of((CheckpointLocator) c);
            }
        }
        return Optional.empty();
    }

    /** Runs one validation epoch; returns the logged epoch metrics. Lightning: {@code trainer.validate}. */
    public List<Map<String, Double>> validate(LightningModule module, DataLoader val) {
        return EvaluationLoop.standalone(this, module, val, "validate");
    }

    public List<Map<String, Double>> validate(LightningModule module, LightningDataModule data) {
        return EvaluationLoop.standalone(this, module, DataSources.of(data, "validate").val().orElseThrow(
                () -> new MisconfigurationException("validate needs a data module with valDataloader()")), "validate");
    }

    /** Runs one test epoch; returns the logged epoch metrics. Lightning: {@code trainer.test}. */
    public List<Map<String, Double>> test(LightningModule module, DataLoader test) {
        return EvaluationLoop.standalone(this, module, test, "test");
    }

    public List<Map<String, Double>> test(LightningModule module, LightningDataModule data) {
        return EvaluationLoop.standalone(this, module, DataSources.of(data, "test").test().orElseThrow(
                () -> new MisconfigurationException("test needs a data module with testDataloader()")), "test");
    }

    /**
     * Returns one prediction per batch; the caller owns (and closes) the tensors. Lightning: {@code trainer.predict}.
     */
    public List<Tensor> predict(LightningModule module, DataLoader data) {
        return PredictLoop.run(this, module, data);
    }

    // ---------------------------------------------------------------- state read by callbacks and modules

    public TrainerConfig config() {
        return config;
    }

    /** Optimizer steps taken (automatic optimization), or optimizer {@code step()} calls summed (manual). */
    public long globalStep() {
        return state.globalStep;
    }

    public int currentEpoch() {
        return state.currentEpoch;
    }

    /** The logger step counter: stepping batches completed (Lightning's {@code _batches_that_stepped}). */
    public long loggerStep() {
        return state.batchesThatStepped;
    }

    /** Index of the current batch within its epoch. */
    public int batchIdx() {
        return state.batchIdx;
    }

    public boolean isLastBatch() {
        return state.isLastBatch;
    }

    public boolean sanityChecking() {
        return state.sanityChecking;
    }

    /** "fit", "validate", "test", "predict", or "" between runs. */
    public String stage() {
        return state.stage;
    }

    public boolean shouldStop() {
        return state.shouldStop;
    }

    /** Asks training to stop after this batch / epoch (respecting {@code minEpochs}). Lightning: {@code should_stop}. */
    public void shouldStop(boolean stop) {
        state.shouldStop = stop;
    }

    /** Latest value of everything logged, plus monitor values (read-only view). */
    public Map<String, Double> callbackMetrics() {
        return Collections.unmodifiableMap(state.callbackMetrics);
    }

    /**
     * Stores a value among the callback metrics, as LearningRateMonitor does for the values it logs so that other
     * callbacks and plateau schedulers can monitor them.
     */
    public void putCallbackMetric(String name, double value) {
        state.putCallbackMetric(name, value);
    }

    /** Values sent to the loggers so far (read-only view). */
    public Map<String, Double> loggedMetrics() {
        return Collections.unmodifiableMap(state.loggedMetrics);
    }

    /** Values marked {@code prog_bar} (read-only view). */
    public Map<String, Double> progressBarMetrics() {
        return Collections.unmodifiableMap(state.progressBarMetrics);
    }

    public int numTrainingBatches() {
        return state.numTrainingBatches;
    }

    public int numValBatches() {
        return state.numValBatches;
    }

    /** Batches of the current (or last) standalone test run. Lightning: {@code trainer.num_test_batches}. */
    public int numTestBatches() {
        return state.numTestBatches;
    }

    /** The training loader of the current (or last) fit. Lightning: {@code trainer.train_dataloader}. */
    public Optional<DataLoader> trainDataloader() {
        return Optional.ofNullable(state.trainDataloader);
    }

    /**
     * The optimizer steps this fit will take: {@code ceil(batches / accumulateGradBatches) * maxEpochs}, capped by
     * {@code maxSteps}. Lightning: {@code trainer.estimated_stepping_batches}. Valid from fit start, inside
     * {@code configureOptimizers} too, where schedules such as OneCycleLR are sized with it.
     */
    public long estimatedSteppingBatches() {
        long perEpoch = (state.numTrainingBatches + config.accumulateGradBatches - 1L) / config.accumulateGradBatches;
        if (config.maxEpochs < 0) {
            return config.maxSteps < 0 ? Long.MAX_VALUE : config.maxSteps;
        }
        long total = perEpoch * Math.max(config.maxEpochs, 1);
        return config.maxSteps < 0 ? total : Math.min(total, config.maxSteps);
    }

    public List<Callback> callbacks() {
        return callbacks;
    }

    public List<Logger> loggers() {
        return loggers;
    }

    /** The first logger, if any. Lightning: {@code trainer.logger}. */
    public Optional<Logger> logger() {
        return loggers.isEmpty() ? Optional.empty() : Optional.of(loggers.get(0));
    }

    /** The first logger's directory, or the default root directory. Lightning: {@code trainer.log_dir}. */
    public Path logDir() {
        return logger().map(Logger::logDir).orElse(config.defaultRootDir);
    }

    /** The optimizers of the current run, in order. */
    public List<Optimizer> optimizers() {
        return state.setup == null ? List.of() : state.setup.optimizers();
    }

    /** The scheduler configs of the current run, in order. Lightning: {@code trainer.lr_scheduler_configs}. */
    public List<LRSchedulerConfig> lrSchedulerConfigs() {
        return state.setup == null ? List.of() : state.setup.schedulerConfigs();
    }

    /** The schedulers of the current run, in config order. */
    public List<LRScheduler> lrSchedulers() {
        return state.setup == null ? List.of() : state.setup.schedulers();
    }

    /** The optimizers wrapped for manual optimization. */
    public List<LightningOptimizer> lightningOptimizers() {
        return state.lightningOptimizers;
    }

    /** The device the module runs on. */
    public Device device() {
        return state.device;
    }

    public Optional<LightningModule> lightningModule() {
        return Optional.ofNullable(state.module);
    }

    /** How this run is spread over processes and devices. Lightning: {@code trainer.strategy}. */
    public Strategy strategy() {
        return strategy;
    }

    /** This process's rank in the whole job (0 without DDP). Lightning: {@code trainer.global_rank}. */
    public int globalRank() {
        return strategy.globalRank();
    }

    /** This process's rank on its node. Lightning: {@code trainer.local_rank}. */
    public int localRank() {
        return strategy.localRank();
    }

    /** The node this process runs on. Lightning: {@code trainer.node_rank}. */
    public int nodeRank() {
        return strategy.nodeRank();
    }

    /** Processes in the job. Lightning: {@code trainer.world_size}. */
    public int worldSize() {
        return strategy.worldSize();
    }

    /** Whether this is global rank 0, the process that writes logs and checkpoints. */
    public boolean isGlobalZero() {
        return strategy.isGlobalZero();
    }

    /**
     * Lets the strategy react to a failed run on this rank (under DDP rank 0 stops the ranks it launched) and, when
     * the failure came from another rank of the job ending, says which one.
     */
    RuntimeException failed(Throwable error) {
        strategy.onException(error);
        java.util.Optional<String> why = strategy.jobFailure();
        if (why.isPresent()) {
            return new dev.jlightning.strategy.DistributedException(why.get(), error);
        }
        if (error instanceof RuntimeException) {
            return (RuntimeException) error;
        }
        throw (Error) error;
    }

    /**
     * The epoch metrics every rank acts on: under DDP, a value logged without {@code syncDist} differs by rank, so
     * rank 0's value replaces it on every rank and ReduceLROnPlateau, EarlyStopping and ModelCheckpoint decide alike
     * everywhere. Lightning leaves each rank its own value and only warns.
     */
    Map<String, Double> agreed(MetricCollector results, Map<String, Double> metrics) {
        if (strategy.worldSize() == 1 || metrics.isEmpty()) {
            return metrics;
        }
        List<String> unsynced = new ArrayList<>();
        for (String k : metrics.keySet()) {
            if (!results.isSynced(k)) {
                unsynced.add(k);
            }
        }
        if (unsynced.isEmpty()) {
            return metrics;
        }
        double[] values = new double[unsynced.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = metrics.get(unsynced.get(i));
        }
        double[] rankZero = strategy.broadcast(values);
        Map<String, Double> out = new LinkedHashMap<>(metrics);
        for (int i = 0; i < values.length; i++) {
            String k = unsynced.get(i);
            out.put(k, rankZero[i]);
            String base = k.endsWith("_epoch") ? k.substring(0, k.length() - "_epoch".length()) : k;
            if (unsyncedWarned.add(base) && strategy.isGlobalZero()) {
                LOG.warn("It is recommended to use `self.log('{}', ..., sync_dist=True)` when logging on epoch level"
                        + " in distributed setting to accumulate the metric across devices. Until then JLightning uses"
                        + " rank 0's value of '{}' on every rank for ReduceLROnPlateau, EarlyStopping and"
                        + " ModelCheckpoint, so their decisions stay identical across ranks.", base, base);
            }
        }
        return out;
    }

    /** Joins the job's processes (launching the local ranks if needed) and aligns the loggers across ranks. */
    void setupDistributed() {
        strategy.setupEnvironment();
        // after the strategy's per-process cap: a number the user chose wins
        config.intraOpThreads().ifPresent(n -> {
            org.bytedeco.pytorch.global.torch.set_num_threads(n);
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(n);
        });
        if (loggersConnected || strategy.worldSize() == 1) {
            return;
        }
        MetricCollector.MetricSync sync = (values, reduceFx) -> strategy.reduce(values,
                dev.jlightning.strategy.ReduceOp.of(reduceFx));
        state.trainResults.setSync(sync);
        state.evalResults.setSync(sync);
        List<Logger> aligned = new ArrayList<>();
        for (Logger l : loggers) {
            String version = strategy.broadcast(strategy.isGlobalZero() ? l.version() : null);
            String dir = strategy.broadcast(strategy.isGlobalZero() ? l.logDir().toString() : null);
            aligned.add(strategy.isGlobalZero() ? l : new RankZeroOnlyLogger(l.name(), version, Path.of(dir)));
        }
        loggers = List.copyOf(aligned);
        loggersConnected = true;
    }

    // ---------------------------------------------------------------- called by the module

    /**
     * Receives {@code LightningModule.log} of a one-element tensor; not for direct use. The value is read once: the
     * fit loop's non-finite check reuses it when the tensor is the loss.
     */
    public void logMetric(String name, Tensor value, LogOptions options) {
        logMetric(name, state.readScalar(value), options);
    }

    /** Receives {@code LightningModule.log}; not for direct use. */
    public void logMetric(String name, double value, LogOptions options) {
        MetricCollector results = state.activeResults;
        if (results == null) {
            throw new MisconfigurationException("log('" + name + "') was called outside of a step or epoch hook"
                    + " of fit/validate/test; log from trainingStep, validationStep, testStep or an on_* hook");
        }
        if (state.sanityChecking) {
            // sanity validation never reaches loggers or callback metrics, as in Lightning
            results.log(name, value, options);
            return;
        }
        results.log(name, value, options);
        if (results == state.trainResults && results.hook() != LoggingHook.TRAIN_EPOCH_HOOK) {
            // Lightning's callback_metrics is a live view: a step value is visible as soon as it is logged
            results.publishStepValue(name, putCallbackMetric);
        }
    }

    /** Receives {@code LightningModule.manualBackward}; not for direct use. */
    public void manualBackward(LightningModule module, Tensor loss) {
        if (module.isAutomaticOptimization()) {
            throw new MisconfigurationException("manualBackward is for manual optimization; with automatic"
                    + " optimization return the loss from trainingStep instead");
        }
        FitLoop.checkLoss(loss, state.batchIdx, "manualBackward");
        hooks.beforeBackward(this, module, loss);
        strategy.preBackward(loss, true);
        loss.backward();
        hooks.afterBackward(this, module);
    }

    void onManualOptimizerStep() {
        state.globalStep++;
    }

    // ---------------------------------------------------------------- for the loops

    HookDispatcher hooks() {
        return hooks;
    }

    /**
     * Sends one row to every logger and saves them, as Lightning's {@code LoggerConnector.log_metrics}: a metric the
     * user named {@code "step"} becomes the row's step and then no {@code epoch} is added.
     */
    void logToLoggers(Map<String, Double> metrics, OptionalInt epoch, long step) {
        if (loggers.isEmpty() || metrics.isEmpty()) {
            return;
        }
        Map<String, Number> row = new LinkedHashMap<>(metrics);
        long rowStep = step;
        Number userStep = row.remove("step");
        if (userStep != null) {
            rowStep = userStep.longValue();
        } else if (epoch.isPresent()) {
            row.putIfAbsent("epoch", epoch.getAsInt());
        }
        for (Logger l : loggers) {
            l.logMetrics(row, rowStep);
            l.save();
        }
    }

    void finishLoggers(String status) {
        for (Logger l : loggers) {
            l.finish(status);
        }
    }

    static List<Map<String, Double>> single(Map<String, Double> m) {
        List<Map<String, Double>> out = new ArrayList<>(1);
        out.add(Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        return out;
    }
}
