package dev.jlightning.core;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointException;
import dev.jlightning.checkpoint.CheckpointRestore;
import dev.jlightning.data.Batch;
import dev.jlightning.io.LoadOptions;
import dev.jlightning.io.LoadResult;
import dev.jlightning.io.Weights;
import dev.jlightning.io.WeightsFormat;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

/**
 * The model and everything about how it trains: the steps, the optimizers, the hooks.
 *
 * <p>Counterpart of {@code lightning.pytorch.LightningModule}. It is a bytedeco {@link Module}, so layers are
 * registered with {@code register_module} and parameters are found by {@code parameters()}; keep a Java field for
 * each registered layer. Subclasses implement {@link #trainingStep(Batch, int)} and {@link #configureOptimizers()} (or are given
 * their optimizers with {@link #configureOptimizersWith(Function)});
 * {@code validationStep}, {@code testStep}, {@code predictStep} and the hooks are optional. A {@link Trainer} runs it.
 *
 * <p>Tensors created inside steps and hooks are freed by the Trainer at the end of each step (one native-memory
 * scope per batch), so step code may allocate freely; values that must outlive a step are extracted as numbers or
 * logged with {@link #log(String, Tensor)}.
 */
public abstract class LightningModule extends Module {

    private Trainer trainer;
    private final Map<String, Object> hparams = new LinkedHashMap<>();
    private boolean automaticOptimization = true;
    private Function<? super LightningModule, ?> optimizersFactory;

    protected LightningModule() {
        super();
    }

    /** @param name the module name LibTorch reports, as {@code Module(name)} */
    protected LightningModule(String name) {
        super(name);
    }

    // ---------------------------------------------------------------- steps

    /**
     * Computes the training loss for one batch. Lightning: {@code training_step(batch, batch_idx)}.
     *
     * @return a scalar loss tensor that requires grad (automatic optimization); in manual optimization the return
     *     value is ignored and may be {@code null}
     */
    public abstract Tensor trainingStep(Batch batch, int batchIdx);

    /** One validation batch; log metrics with {@link #log}. Validation runs only if this is overridden. */
    public void validationStep(Batch batch, int batchIdx) {
    }

    /** One test batch; log metrics with {@link #log}. */
    public void testStep(Batch batch, int batchIdx) {
    }

    /**
     * The prediction for one batch, returned by {@code Trainer.predict}. Lightning's default calls the model on the
     * batch; Java modules have no generic forward, so override this to predict.
     */
    public Tensor predictStep(Batch batch, int batchIdx) {
        throw new MisconfigurationException(getClass().getSimpleName()
                + " does not override predictStep(Batch, int), which Trainer.predict needs");
    }

    /**
     * The optimizers and learning-rate schedulers. Lightning: {@code configure_optimizers()}. Accepted return
     * shapes, as in Lightning: an {@code Optimizer}; a {@code List} of optimizers; a two-element list of
     * (list of optimizers, list of schedulers or scheduler configs); a {@code Map} with keys {@code "optimizer"},
     * {@code "lr_scheduler"} (a scheduler, a config {@code Map} with Lightning's keys, or an
     * {@code LRSchedulerConfig}) and {@code "monitor"}; a list of such maps; or an {@code OptimizerConfig}.
     *
     * <p>A module that does not override it gets its optimizers from the factory given to
     * {@link #configureOptimizersWith(Function)} (as {@code LightningCLI} installs one from its {@code optimizer} and
     * {@code lr_scheduler} sections); without one it throws, as Lightning's default does.
     *
     * @throws MisconfigurationException when not overridden and no factory was given
     */
    public Object configureOptimizers() {
        if (optimizersFactory == null) {
            throw new MisconfigurationException("`configureOptimizers` must be implemented to be used with the"
                    + " Lightning Trainer (or the optimizers given with configureOptimizersWith, as LightningCLI"
                    + " does from its `optimizer` and `lr_scheduler` sections)");
        }
        return optimizersFactory.apply(this);
    }

    /**
     * Gives the optimizers of a module that does not override {@link #configureOptimizers()}: the factory is called
     * with this module when the Trainer configures optimizers and returns any shape {@code configureOptimizers()}
     * may return. Lightning's {@code LightningCLI} attaches its optimizer the same way.
     */
    public final void configureOptimizersWith(Function<? super LightningModule, ?> factory) {
        this.optimizersFactory = java.util.Objects.requireNonNull(factory, "factory");
    }

    // ---------------------------------------------------------------- hooks (no-op defaults)

    public void onFitStart() {
    }

    public void onFitEnd() {
    }

    public void onTrainStart() {
    }

    public void onTrainEnd() {
    }

    public void onTrainEpochStart() {
    }

    public void onTrainEpochEnd() {
    }

    /**
     * Called before each training batch. Lightning: returning -1 from {@code on_train_batch_start} skips the rest of
     * the epoch; here return {@code false} for that.
     */
    public boolean onTrainBatchStart(Batch batch, int batchIdx) {
        return true;
    }

    public void onTrainBatchEnd(Optional<Tensor> loss, Batch batch, int batchIdx) {
    }

    public void onValidationStart() {
    }

    public void onValidationEnd() {
    }

    public void onValidationEpochStart() {
    }

    public void onValidationEpochEnd() {
    }

    public void onTestEpochStart() {
    }

    public void onTestEpochEnd() {
    }

    public void onBeforeBackward(Tensor loss) {
    }

    public void onAfterBackward() {
    }

    public void onBeforeOptimizerStep(Optimizer optimizer) {
    }

    public void onBeforeZeroGrad(Optimizer optimizer) {
    }

    /**
     * Steps one scheduler; override to customise. Lightning: {@code lr_scheduler_step(scheduler, metric)}, whose
     * default calls {@code scheduler.step()} without a metric and {@code scheduler.step(metric)} with one.
     */
    public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
        if (metric.isPresent()) {
            scheduler.step(metric.getAsDouble());
        } else {
            scheduler.step();
        }
    }

    /**
     * Called when a checkpoint is being saved; may add entries (plain JSON data) to its JSON part.
     * Lightning: {@code on_save_checkpoint(checkpoint)}.
     */
    public void onSaveCheckpoint(Map<String, Object> checkpoint) {
    }

    /** Called when a checkpoint is being restored, with its JSON part. Lightning: {@code on_load_checkpoint}. */
    public void onLoadCheckpoint(Map<String, Object> checkpoint) {
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Creates a module and loads a checkpoint's weights into it, for inference or fine-tuning. Lightning:
     * {@code MyModule.load_from_checkpoint(path)}. The checkpoint's hyperparameters are restored when the new
     * module has saved none.
     *
     * @param factory creates the module, e.g. {@code MyModule::new}
     * @throws CheckpointException if the file is not a checkpoint, or its parameters and buffers differ from the
     *     module's (the message lists missing, unexpected and mismatched names)
     */
    public static <M extends LightningModule> M loadFromCheckpoint(Path path, Supplier<M> factory) {
        return loadFromCheckpoint(path, hp -> factory.get());
    }

    /**
     * Like {@link #loadFromCheckpoint(Path, Supplier)}, with a factory that receives the checkpoint's saved
     * hyperparameters, as Lightning passes them to {@code __init__}.
     */
    public static <M extends LightningModule> M loadFromCheckpoint(Path path,
            Function<Map<String, Object>, M> factory) {
        if (path == null || factory == null) {
            throw new IllegalArgumentException("loadFromCheckpoint needs a path and a factory");
        }
        Checkpoint checkpoint = new AtomicCheckpointIO().load(path);
        M module = factory.apply(checkpoint.hyperParameters());
        if (module == null) {
            throw new IllegalArgumentException("the factory given to loadFromCheckpoint returned null");
        }
        try (CheckpointRestore staged = CheckpointRestore.stage(checkpoint, module, false)) {
            staged.applyModule(module);
        }
        if (module.hparams().isEmpty()) {
            module.saveHyperparameters(checkpoint.hyperParameters());
        }
        module.onLoadCheckpoint(checkpoint.json());
        return module;
    }

    // ---------------------------------------------------------------- weight files (PyTorch, Lightning, safetensors)

    /**
     * Loads weights by parameter name from a {@code torch.save} file ({@code .pt}, {@code .pth}, {@code .bin}), a
     * Lightning {@code .ckpt} or a safetensors file. PyTorch: {@code module.load_state_dict(torch.load(path))}.
     * Nothing in the module changes unless the whole load succeeds.
     *
     * @throws dev.jlightning.io.WeightsFileException if the file is malformed or unsafe, or does not fit the module
     *     (missing and unexpected keys, shape mismatches, as PyTorch words them)
     */
    public final LoadResult loadStateDict(Path path, LoadOptions options) {
        return Weights.load(this, path, options);
    }

    /**
     * Writes the parameters and buffers as safetensors, with the hyperparameters in {@code __metadata__}.
     * Hugging Face: {@code safetensors.torch.save_model(model, path)}.
     */
    public final void saveSafetensors(Path path) {
        Weights.saveSafetensors(this, path, hparams);
    }

    /**
     * Writes the weights in {@code format}: safetensors, {@code torch.save(state_dict)}, or a Lightning-shaped
     * checkpoint dict (with the attached Trainer's epoch and global step, 0 without one) that {@code torch.load}
     * opens.
     */
    public final void saveWeights(Path path, WeightsFormat format) {
        long epoch = trainer == null ? 0 : trainer.currentEpoch();
        long step = trainer == null ? 0 : trainer.globalStep();
        Weights.save(this, path, format, hparams, epoch, step);
    }

    // ---------------------------------------------------------------- logging

    /** Logs a value with the hook's default options. Lightning: {@code self.log(name, value)}. */
    public final void log(String name, double value) {
        log(name, value, LogOptions.DEFAULT);
    }

    /** Logs a scalar tensor's value (read now, so the tensor may be freed afterwards). */
    public final void log(String name, Tensor value) {
        log(name, value, LogOptions.DEFAULT);
    }

    /** Logs a scalar tensor's value with explicit options. */
    public final void log(String name, Tensor value, LogOptions options) {
        if (value == null || value.isNull()) {
            throw new MisconfigurationException("log('" + name + "') got a null or freed tensor");
        }
        if (value.numel() != 1) {
            throw new MisconfigurationException("log('" + name + "') needs a scalar (one element) tensor, got "
                    + value.numel() + " elements; reduce it first, e.g. with mean()");
        }
        if (trainer == null) {
            requireTrainer("log('" + name + "')");
        }
        trainer.logMetric(name, value, options);
    }

    /** Logs a value with explicit options. Lightning: {@code self.log(name, value, prog_bar=..., on_step=...)}. */
    public final void log(String name, double value, LogOptions options) {
        // the message is built only when it is needed: log runs on every step
        if (trainer == null) {
            requireTrainer("log('" + name + "')");
        }
        trainer.logMetric(name, value, options);
    }

    /**
     * Logs several values with the hook's default options, as {@link #log(String, double)} does for each.
     * Lightning: {@code self.log_dict(dict)}.
     *
     * @param values numbers (a {@code Boolean} counts as 1 or 0, as Python's {@code bool}) or scalar tensors, whose
     *     values are read now
     */
    public final void logDict(Map<String, ?> values) {
        logDict(values, LogOptions.DEFAULT);
    }

    /**
     * Logs several values with the same options. Lightning: {@code self.log_dict(dict, prog_bar=..., on_step=...)}.
     *
     * @param values numbers or scalar tensors; see {@link #logDict(Map)}
     */
    public final void logDict(Map<String, ?> values, LogOptions options) {
        if (values == null) {
            throw new MisconfigurationException("logDict needs a map of names to numbers or scalar tensors, got null");
        }
        values.forEach((name, value) -> {
            if (value instanceof Tensor) {
                log(name, (Tensor) value, options);
            } else if (value instanceof Number) {
                log(name, ((Number) value).doubleValue(), options);
            } else if (value instanceof Boolean) {
                log(name, (Boolean) value ? 1.0 : 0.0, options);
            } else {
                throw new MisconfigurationException("`self.log(" + name + ", " + value + ")` was called, but `"
                        + (value == null ? "null" : value.getClass().getSimpleName()) + "` values cannot be logged;"
                        + " logDict takes numbers and scalar tensors");
            }
        });
    }

    // ---------------------------------------------------------------- hyperparameters

    /**
     * Records hyperparameters: they are written to {@code hparams.yaml} by the loggers and kept in checkpoints.
     * Lightning: {@code save_hyperparameters(dict)}, the map's keys becoming the hyperparameters' names.
     */
    public final void saveHyperparameters(Map<String, ?> params) {
        if (params == null) {
            throw new MisconfigurationException("saveHyperparameters needs a map, a record or the constructor's"
                    + " arguments, got null");
        }
        hparams.putAll(params);
    }

    /**
     * Records a configuration record's components as hyperparameters, by component name and in declaration order;
     * nested records become nested maps. Lightning: {@code save_hyperparameters(config)} with one config object, whose
     * fields become the hyperparameters (as a {@code Namespace} or dataclass does).
     */
    public final void saveHyperparameters(Record config) {
        if (config == null) {
            throw new MisconfigurationException("saveHyperparameters needs a map, a record or the constructor's"
                    + " arguments, got null");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> components = (Map<String, Object>) dev.jlightning.logging.tensorboard.HParams
                .toPlainData(config);
        hparams.putAll(components);
    }

    /**
     * Records the arguments of the constructor that calls it, named after its parameters. Lightning:
     * {@code self.save_hyperparameters()} in {@code __init__}. Java cannot read a caller's arguments, so pass them,
     * in order: {@code MyModule(int hidden, double lr) { saveHyperparameters(hidden, lr); }} saves
     * {@code {hidden: ..., lr: ...}}. The names are read by reflection and need the module compiled with
     * {@code javac -parameters}. Records become maps of their components, enums their names; modules and tensors
     * are left out with a warning (the checkpoint keeps their weights).
     *
     * @throws MisconfigurationException when not called from a constructor, when the values do not match its
     *     parameters, or when the parameter names were not compiled in
     */
    public final void saveHyperparameters(Object... constructorArguments) {
        if (constructorArguments == null || constructorArguments.length == 0) {
            throw new MisconfigurationException("saveHyperparameters() without arguments cannot read the"
                    + " constructor's arguments in Java; pass them, e.g. saveHyperparameters(hidden, lr), or pass a"
                    + " Map or a record");
        }
        hparams.putAll(ConstructorArguments.named(constructorArguments));
    }

    /**
     * Rebuilds a configuration record from saved hyperparameters, the inverse of
     * {@link #saveHyperparameters(Record)}: e.g. the factory of {@link #loadFromCheckpoint(Path, Function)},
     * {@code hp -> new MyModule(LightningModule.hyperparametersAs(hp, Config.class))}. Keys that are not components
     * (such as the learning-rate finder's {@code lr}) are ignored.
     *
     * @throws MisconfigurationException if a component is missing or its saved value does not fit its type
     */
    public static <R extends Record> R hyperparametersAs(Map<String, ?> hparams, Class<R> type) {
        if (hparams == null || type == null) {
            throw new MisconfigurationException("hyperparametersAs needs the hyperparameters and a record class");
        }
        try {
            return RecordReader.MAPPER.convertValue(hparams, type);
        } catch (IllegalArgumentException e) {
            throw new MisconfigurationException("The hyperparameters " + hparams.keySet() + " cannot be read as "
                    + type.getSimpleName() + ": " + e.getMessage().split("\n")[0], e);
        }
    }

    /** Jackson configured to fill a record strictly from plain data. */
    private static final class RecordReader {
        static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind
                .ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                        true);
    }

    /** The saved hyperparameters (read-only). */
    public final Map<String, Object> hparams() {
        return Collections.unmodifiableMap(hparams);
    }

    // ---------------------------------------------------------------- optimization

    /**
     * Switches manual optimization on or off. Lightning: {@code self.automatic_optimization = False}. With manual
     * optimization the training step calls {@link #manualBackward(Tensor)}, {@code optimizer.step()},
     * {@code zero_grad()} and steps its schedulers itself.
     */
    protected final void automaticOptimization(boolean enabled) {
        this.automaticOptimization = enabled;
    }

    public final boolean isAutomaticOptimization() {
        return automaticOptimization;
    }

    /** Backward pass in manual optimization. Lightning: {@code self.manual_backward(loss)}. */
    public final void manualBackward(Tensor loss) {
        requireTrainer("manualBackward").manualBackward(this, loss);
    }

    /**
     * The optimizers {@link #configureOptimizers()} returned, in order, wrapped so that their steps are counted.
     * Lightning: {@code self.optimizers()}.
     */
    public final List<LightningOptimizer> optimizers() {
        return requireTrainer("optimizers()").lightningOptimizers();
    }

    /** The single optimizer; an error when there are several. Lightning: {@code self.optimizers()} with one. */
    public final LightningOptimizer optimizer() {
        List<LightningOptimizer> all = optimizers();
        if (all.size() != 1) {
            throw new MisconfigurationException("optimizer() needs exactly one optimizer, there are " + all.size()
                    + "; use optimizers().get(i)");
        }
        return all.get(0);
    }

    /** The schedulers, in config order. Lightning: {@code self.lr_schedulers()}. */
    public final List<LRScheduler> lrSchedulers() {
        return requireTrainer("lrSchedulers()").lrSchedulers();
    }

    /**
     * The single scheduler; an error when there are none or several. Lightning: {@code self.lr_schedulers()}, which
     * returns the scheduler itself when there is exactly one.
     */
    public final LRScheduler lrScheduler() {
        List<LRScheduler> all = lrSchedulers();
        if (all.size() != 1) {
            throw new MisconfigurationException("lrScheduler() needs exactly one scheduler, there are " + all.size()
                    + "; use lrSchedulers()" + (all.isEmpty() ? "" : ".get(i)"));
        }
        return all.get(0);
    }

    // ---------------------------------------------------------------- trainer link

    /** The Trainer running this module. Lightning: {@code self.trainer}. */
    public final Optional<Trainer> trainer() {
        return Optional.ofNullable(trainer);
    }

    /**
     * Attaches the module to the Trainer that runs it; called by the Trainer at the start of each run.
     * Lightning sets {@code module.trainer} the same way.
     */
    public final void attachTrainer(Trainer trainer) {
        this.trainer = trainer;
    }

    private Trainer requireTrainer(String what) {
        if (trainer == null) {
            throw new MisconfigurationException(what + " needs the module to be attached to a Trainer;"
                    + " call it from a step or hook during fit/validate/test");
        }
        return trainer;
    }
}
