package dev.jlightning.trainer;

import dev.jlightning.core.JavaCppDefaults;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.Logger;
import dev.jlightning.logging.LoggingHook;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OptimizerSetup;
import dev.jlightning.precision.ForwardContext;
import dev.jlightning.precision.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.logging.log4j.LogManager;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The fit loop: epochs of training batches, validation at its interval, schedulers stepped at Lightning's points.
 *
 * <p>Counterpart of Lightning's {@code _FitLoop} and {@code _TrainingEpochLoop} with automatic and manual
 * optimization. Each training batch runs inside its own {@link PointerScope}, so every tensor the step creates
 * (forward activations, the loss, gradients' temporaries) is freed when the batch is done.
 */
final class FitLoop {

    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(FitLoop.class);

    private final Trainer trainer;
    private final TrainerConfig cfg;
    private final TrainerState st;
    private final LightningModule module;
    private DataSources data;
    private final HookDispatcher hooks;
    private final SchedulerStepper stepper = new SchedulerStepper();
    private final EvaluationLoop validation;
    private final Precision precision;
    /** Whether the precision plugin skipped this batch's optimizer step (inf/NaN gradients under a scaler). */
    private boolean stepSkipped;

    private TensorVector parameters;
    private boolean validationEnabled;
    private int valCheckBatch;
    private long totalBatchIdx = -1;
    private boolean nonFiniteLossReported;
    private List<LRSchedulerConfig> schedulerConfigs = List.of();
    private Optimizer optimizer;
    private final Optional<String> ckptPath;
    private ResumePoint pendingResume;

    FitLoop(Trainer trainer, LightningModule module, DataSources data) {
        this(trainer, module, data, Optional.empty());
    }

    /** @param ckptPath a checkpoint to resume from: a path, "last" or "best" */
    FitLoop(Trainer trainer, LightningModule module, DataSources data, Optional<String> ckptPath) {
        if (module == null) {
            throw new MisconfigurationException("fit needs a LightningModule, got null");
        }
        this.trainer = trainer;
        this.cfg = trainer.config();
        this.st = trainer.state;
        this.module = module;
        this.data = data;
        this.hooks = trainer.hooks();
        this.validation = new EvaluationLoop(trainer, module, "validate");
        this.ckptPath = ckptPath;
        this.precision = trainer.strategy().precision();
    }

    DataSources data() {
        return data;
    }

    long totalBatchIdx() {
        return totalBatchIdx;
    }

    /** Continues from a checkpoint's position at the next {@link #runEpoch()}. */
    void resumeAt(ResumePoint point) {
        totalBatchIdx = point.totalBatchIdx();
        pendingResume = point;
    }

    void run() {
        JavaCppDefaults.reportIfTooLate();
        st.resetForRun("fit");
        st.currentEpoch = 0;
        st.globalStep = 0;
        st.batchesThatStepped = 0;
        st.module = module;
        st.fitLoop = this;
        st.phase = LoopPhase.EPOCH_DONE;
        st.reachedLastBatch = false;
        st.ckptPath = null;
        module.attachTrainer(trainer);
        String status = "failed";
        CheckpointConnector.Restored restored = null;
        try {
            trainer.setupDistributed();
            st.device = trainer.worldSize() > 1 ? trainer.strategy().rootDevice()
                    : AcceleratorConnector.device(cfg.deviceSpec);
            if (!"cpu".equals(cfg.deviceSpec)) {
                module.to(st.device, false);
            }
            // before configureOptimizers, so the optimizers hold the converted parameters (Lightning: Strategy.setup)
            precision.convertModule(module);
            if (trainer.worldSize() > 1 && cfg.useDistributedSampler) {
                data = data.map(trainer.strategy()::processDataloader);
            }
            hooks.callbacks(c -> c.setup(trainer, module, "fit"));
            st.trainDataloader = data.train();
            // batches first: configureOptimizers may size a schedule with trainer.estimatedSteppingBatches(), which
            // Lightning computes on demand from the loaders at that point
            countBatches();
            configureOptimizers();
            ScheduleHorizonCheck.check(schedulerConfigs, st.numTrainingBatches, cfg.accumulateGradBatches,
                    cfg.maxEpochs, cfg.maxSteps);
            parameters = module.parameters();
            stepper.agreeWith(trainer.strategy());
            if (ckptPath.isPresent()) {
                CheckpointConnector connector = new CheckpointConnector(trainer);
                Optional<java.nio.file.Path> path = connector.resolve(ckptPath.get());
                if (path.isPresent()) {
                    restored = connector.restore(path.get(), module, this);
                }
            }
            // after the restore, so the reducer hooks the parameters that will train
            trainer.strategy().setup(module);
            module.train(true);
            logHyperparameters();
            hooks.call(c -> c.onFitStart(trainer, module), module::onFitStart);
            sanityCheck();
            if (restored != null) {
                restored.applyRandomState();
                restored.close();
                restored = null;
            }
            if (pendingResume == null) {
                // values logged in on_train_start join the first epoch's aggregates, as Lightning's results
                // collection is only reset after each epoch's metrics are logged
                st.trainResults.reset();
            }
            st.activeResults = st.trainResults;
            st.trainResults.setHook(LoggingHook.TRAIN_EPOCH_HOOK);
            hooks.call(c -> c.onTrainStart(trainer, module), module::onTrainStart);
            while (!done()) {
                runEpoch();
            }
            hooks.call(c -> c.onTrainEnd(trainer, module), module::onTrainEnd);
            hooks.call(c -> c.onFitEnd(trainer, module), module::onFitEnd);
            status = "success";
        } catch (RuntimeException | Error e) {
            hooks.exception(trainer, module, e);
            throw trainer.failed(e);
        } finally {
            try {
                trainer.strategy().teardown();
                trainer.finishLoggers(status);
                hooks.callbacks(c -> c.teardown(trainer, module, "fit"));
                data.dataModule().ifPresent(dm -> dm.teardown("fit"));
            } finally {
                if (restored != null) {
                    restored.close();
                }
                if (parameters != null) {
                    parameters.close();
                }
                st.activeResults = null;
                st.stage = "";
            }
        }
    }

    // ---------------------------------------------------------------- setup

    private void configureOptimizers() {
        boolean automatic = module.isAutomaticOptimization();
        if (!automatic && cfg.accumulateGradBatches != 1) {
            throw new MisconfigurationException("Automatic gradient accumulation is not supported for manual"
                    + " optimization. Remove `accumulateGradBatches` from the Trainer or switch to automatic"
                    + " optimization.");
        }
        if (!automatic && cfg.gradientClipVal.isPresent()) {
            throw new MisconfigurationException("Automatic gradient clipping is not supported for manual"
                    + " optimization. Remove `gradientClipVal` from the Trainer and clip in trainingStep.");
        }
        if (!automatic && precision.scaler().isPresent()) {
            throw new MisconfigurationException("precision='" + precision.name() + "' with manual optimization is not"
                    + " supported yet: its gradient scaler needs the Trainer to step the optimizers. Use automatic"
                    + " optimization, or precision='bf16-mixed', which needs no scaler.");
        }
        st.setup = OptimizerSetup.parse(module.configureOptimizers(), automatic);
        List<LightningOptimizer> wrapped = new ArrayList<>();
        for (Optimizer o : st.setup.optimizers()) {
            wrapped.add(new LightningOptimizer(o, x -> trainer.onManualOptimizerStep()));
        }
        st.lightningOptimizers = List.copyOf(wrapped);
        schedulerConfigs = automatic ? st.setup.schedulerConfigs() : List.of();
        optimizer = st.setup.optimizers().isEmpty() ? null : st.setup.optimizers().get(0);
    }

    private void countBatches() {
        DataLoader train = data.train();
        int available = train.numBatches();
        if (available == 0) {
            throw new MisconfigurationException("The training DataLoader is empty: " + train.dataset().size()
                    + " samples with batch_size=" + train.batchSize() + (train.dropLast() ? " and drop_last=True" : "")
                    + " give no batch. Provide data or lower the batch size.");
        }
        st.numTrainingBatches = cfg.limitTrainBatches.apply("limit_train_batches", available);
        if (st.numTrainingBatches == 0) {
            throw new MisconfigurationException("limit_train_batches=" + cfg.limitTrainBatches
                    + " leaves no training batch to run");
        }
        Optional<DataLoader> val = data.val();
        boolean hasValStep = overrides("validationStep");
        st.numValBatches = val.isPresent() && hasValStep
                ? cfg.limitValBatches.apply("limit_val_batches", val.get().numBatches()) : 0;
        validationEnabled = st.numValBatches > 0;
        if (cfg.valCheckBatches.isPresent()) {
            valCheckBatch = cfg.valCheckBatches.getAsInt();
            if (cfg.checkValEveryNEpoch.isPresent() && valCheckBatch > st.numTrainingBatches) {
                throw new MisconfigurationException("`val_check_interval` (" + valCheckBatch + ") must be less than"
                        + " or equal to the number of the training batches (" + st.numTrainingBatches + "). If you"
                        + " want to disable validation set `limitValBatches` to 0.0 instead. If you want to validate"
                        + " based on the total training batches, call `checkValAcrossEpochs()`.");
            }
        } else {
            valCheckBatch = Math.max(1, (int) (st.numTrainingBatches * cfg.valCheckFraction.getAsDouble()));
        }
    }

    private boolean overrides(String method) {
        try {
            return module.getClass().getMethod(method, Batch.class, int.class).getDeclaringClass()
                    != LightningModule.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private void logHyperparameters() {
        Map<String, Object> hp = new LinkedHashMap<>(module.hparams());
        for (Logger l : trainer.loggers()) {
            l.logHyperparams(hp);
            l.save();
        }
    }

    private void sanityCheck() {
        if (!validationEnabled || cfg.numSanityValSteps == 0) {
            return;
        }
        int batches = cfg.numSanityValSteps < 0 ? st.numValBatches : Math.min(cfg.numSanityValSteps, st.numValBatches);
        st.sanityChecking = true;
        try {
            hooks.callbacks(c -> c.onSanityCheckStart(trainer, module));
            validation.run(data.val().orElseThrow(), batches, true);
            hooks.callbacks(c -> c.onSanityCheckEnd(trainer, module));
        } finally {
            st.sanityChecking = false;
            st.evalResults.reset();
        }
    }

    // ---------------------------------------------------------------- epochs

    private boolean canStopEarly() {
        return st.currentEpoch >= cfg.minEpochs;
    }

    private boolean done() {
        if (cfg.maxSteps >= 0 && st.globalStep >= cfg.maxSteps) {
            return true;
        }
        if (cfg.maxEpochs >= 0 && st.currentEpoch >= cfg.maxEpochs) {
            st.shouldStop = true;
            return true;
        }
        if (st.shouldStop) {
            if (canStopEarly()) {
                return true;
            }
            LOG.info("Trainer was signaled to stop but the required `min_epochs={}` has not been met. Training will"
                    + " continue...", cfg.minEpochs);
        }
        return false;
    }

    private boolean epochBatchLoopDone() {
        return (cfg.maxSteps >= 0 && st.globalStep >= cfg.maxSteps) || (st.shouldStop && canStopEarly());
    }

    private void runEpoch() {
        ResumePoint resume = pendingResume;
        pendingResume = null;
        boolean midEpoch = resume != null && resume.phase() != LoopPhase.EPOCH_DONE;
        boolean atEpochEnd = resume != null && resume.phase() == LoopPhase.TRAIN_EPOCH_END;
        boolean reachedLastBatch = atEpochEnd && resume.reachedLastBatch();
        int firstBatch = 0;
        if (!midEpoch) {
            st.activeResults = st.trainResults;
            st.trainResults.setHook(LoggingHook.TRAIN_EPOCH_HOOK);
            st.phase = LoopPhase.EPOCH_DONE;
            hooks.call(c -> c.onTrainEpochStart(trainer, module), module::onTrainEpochStart);
        } else if (!atEpochEnd) {
            firstBatch = resume.batchIdx() + 1;
        }
        if (!atEpochEnd) {
            DataLoader train = data.train();
            if (midEpoch) {
                // the epoch's order is drawn again from the generator's state at the epoch's start
                train.loadStateDict(st.trainDataEpochStart);
            } else {
                st.trainDataEpochStart = train.stateDict();
            }
            try (DataLoader.BatchIterator it = train.iterator(firstBatch)) {
                if (midEpoch) {
                    finishInterruptedBatch(resume);
                }
                if (midEpoch && resume.batchIdx() == st.numTrainingBatches - 1) {
                    reachedLastBatch = true;
                }
                for (int batchIdx = firstBatch; batchIdx < st.numTrainingBatches; batchIdx++) {
                    if (epochBatchLoopDone()) {
                        break;
                    }
                    Batch batch = it.next();
                    boolean carryOn = runBatch(batch, batchIdx);
                    if (!carryOn) {
                        break;
                    }
                    if (batchIdx == st.numTrainingBatches - 1) {
                        reachedLastBatch = true;
                    }
                }
            }
            st.activeResults = st.trainResults;
            st.trainResults.setHook(LoggingHook.TRAIN_EPOCH_HOOK);
            st.phase = LoopPhase.TRAIN_EPOCH_END;
            st.reachedLastBatch = reachedLastBatch;
            // from the epoch's end on, callback metrics hold the epoch aggregates (Lightning's epoch_end_reached)
            Runnable publish = () -> st.putCallbackMetrics(
                    trainer.agreed(st.trainResults, st.trainResults.epochCallbackMetrics()));
            publish.run();
            hooks.trainEpochEnd(trainer, module, publish);
        }
        st.activeResults = st.trainResults;
        st.putCallbackMetrics(trainer.agreed(st.trainResults, st.trainResults.epochCallbackMetrics()));
        st.progressBarMetrics.putAll(st.trainResults.epochProgressBarMetrics());
        if (reachedLastBatch) {
            stepper.step(schedulerConfigs, Interval.EPOCH, true, st.currentEpoch, module, st.callbackMetrics,
                    st.metricVersions);
        }
        Map<String, Double> epochLogged = st.trainResults.epochLoggerMetrics();
        st.loggedMetrics.putAll(epochLogged);
        // Lightning logs the epoch aggregates at the step of the epoch's last stepping batch
        trainer.logToLoggers(epochLogged, OptionalInt.of(st.currentEpoch), st.batchesThatStepped - 1);
        st.trainResults.reset();
        st.currentEpoch++;
        st.phase = LoopPhase.EPOCH_DONE;
    }

    /** Runs what remained of the batch a mid-epoch checkpoint was taken in. */
    private void finishInterruptedBatch(ResumePoint resume) {
        int batchIdx = resume.batchIdx();
        if (batchIdx < 0 || resume.phase() == LoopPhase.BATCH_DONE) {
            return;
        }
        st.batchIdx = batchIdx;
        st.isLastBatch = batchIdx == st.numTrainingBatches - 1;
        boolean stepping = isStepping(batchIdx);
        try (PointerScope scope = new PointerScope()) {
            st.activeResults = st.trainResults;
            st.trainResults.setHook(LoggingHook.TRAIN_BATCH_HOOK);
            if (resume.phase() == LoopPhase.TRAIN_BATCH_END) {
                afterTrainBatchEnd(batchIdx, stepping);
            } else {
                afterValidation(batchIdx, stepping, true);
            }
        }
    }

    private boolean isStepping(int batchIdx) {
        return !module.isAutomaticOptimization() || (batchIdx + 1) % cfg.accumulateGradBatches == 0
                || batchIdx == st.numTrainingBatches - 1;
    }

    /** @return false when the module asked to skip the rest of the epoch */
    private boolean runBatch(Batch batch, int batchIdx) {
        boolean automatic = module.isAutomaticOptimization();
        st.phase = LoopPhase.BATCH_DONE;
        st.batchIdx = batchIdx;
        st.isLastBatch = batchIdx == st.numTrainingBatches - 1;
        totalBatchIdx++;
        boolean stepping = isStepping(batchIdx);
        try (PointerScope scope = new PointerScope()) {
            Batch b = precision.convertInput(batch.to(st.device));
            st.trainResults.resetStep();
            st.trainResults.setCurrentBatchSize(b.batchSize());
            st.activeResults = st.trainResults;
            st.trainResults.setHook(LoggingHook.TRAIN_BATCH_HOOK);
            hooks.trainBatchStart(trainer, module, b, batchIdx);
            if (!module.onTrainBatchStart(b, batchIdx)) {
                return false;
            }
            st.trainResults.setHook(LoggingHook.TRAINING_STEP);
            Optional<Tensor> loss;
            if (automatic) {
                loss = Optional.of(automaticStep(b, batchIdx, stepping));
            } else {
                try (ForwardContext forward = precision.forwardContext()) {
                    loss = Optional.ofNullable(module.trainingStep(b, batchIdx));
                }
            }
            st.trainResults.setHook(LoggingHook.TRAIN_BATCH_HOOK);
            if (automatic && stepping && !stepSkipped) {
                stepper.step(schedulerConfigs, Interval.STEP, false, batchIdx, module, st.callbackMetrics,
                        st.metricVersions);
            }
            if (automatic && st.isLastBatch) {
                stepper.step(schedulerConfigs, Interval.EPOCH, false, st.currentEpoch, module, st.callbackMetrics,
                        st.metricVersions);
            }
            st.phase = LoopPhase.TRAIN_BATCH_END;
            hooks.trainBatchEnd(trainer, module, loss, b, batchIdx);
            afterTrainBatchEnd(batchIdx, stepping);
            return true;
        } finally {
            st.forgetScalar();
            batch.close();
        }
    }

    /** The part of a batch after its {@code on_train_batch_end} hooks: the step row, validation, plateau steps. */
    private void afterTrainBatchEnd(int batchIdx, boolean stepping) {
        if (st.trainResults.hasStepValues()) {
            st.trainResults.copyStepProgressBarMetrics(st.progressBarMetrics);
            // Lightning's logged_metrics follow every batch; the loggers only see stepping batches at the
            // log_every_n_steps rhythm
            st.trainResults.copyStepLoggerMetrics(st.loggedMetrics);
            if (stepping && shouldUpdateLogs() && !trainer.loggers().isEmpty()) {
                trainer.logToLoggers(st.trainResults.stepLoggerMetrics(), OptionalInt.of(st.currentEpoch),
                        st.batchesThatStepped);
            }
        }
        boolean validate = shouldCheckVal(batchIdx);
        if (validate) {
            st.phase = LoopPhase.VALIDATION_END;
            validation.run(data.val().orElseThrow(), st.numValBatches, false);
        }
        afterValidation(batchIdx, stepping, validate);
    }

    private void afterValidation(int batchIdx, boolean stepping, boolean validated) {
        if (validated) {
            module.train(true);
            st.activeResults = st.trainResults;
        }
        if (module.isAutomaticOptimization() && stepping && !stepSkipped) {
            stepper.step(schedulerConfigs, Interval.STEP, true, batchIdx, module, st.callbackMetrics,
                    st.metricVersions);
        }
        if (stepping) {
            st.batchesThatStepped++;
        }
    }

    private Tensor automaticStep(Batch b, int batchIdx, boolean stepping) {
        // gradients are averaged across ranks only on batches that step; the others accumulate locally (no_sync)
        trainer.strategy().preForward(stepping);
        Tensor loss;
        try (ForwardContext forward = precision.forwardContext()) {
            loss = module.trainingStep(b, batchIdx);
        }
        // a loss the step logged was checked by log() (a live one-element tensor that requires grad) and read there
        boolean logged = st.isLoggedScalar(loss);
        if (!logged) {
            checkLoss(loss, batchIdx, "trainingStep");
        }
        checkFinite(loss, batchIdx, logged);
        int k = cfg.accumulateGradBatches;
        if (batchIdx % k == 0 && optimizer != null) {
            hooks.beforeZeroGrad(trainer, module, optimizer);
            optimizer.zero_grad(true);
        }
        // Lightning divides the loss by accumulate_grad_batches before backward so accumulated gradients average
        // then the gradient scaler's factor (16-mixed); the hooks see the tensor backward is called on, as in Lightning
        Tensor scaled = precision.preBackward(k > 1 ? loss.div(new org.bytedeco.pytorch.Scalar((double) k)) : loss);
        hooks.beforeBackward(trainer, module, scaled);
        trainer.strategy().preBackward(scaled, stepping);
        scaled.backward();
        hooks.afterBackward(trainer, module);
        stepSkipped = false;
        if (stepping) {
            if (optimizer != null) {
                // unscales the gradients (16-mixed) so that the hooks and clipping see their true values
                precision.beforeOptimizerStep(optimizer);
                hooks.beforeOptimizerStep(trainer, module, optimizer);
                clipGradients();
                stepSkipped = !precision.optimizerStep(optimizer);
            }
            st.globalStep++;
        }
        return loss;
    }

    private void clipGradients() {
        if (cfg.gradientClipVal.isEmpty()) {
            return;
        }
        double value = cfg.gradientClipVal.getAsDouble();
        if (cfg.gradientClipAlgorithm == GradientClipAlgorithm.NORM) {
            torch.clip_grad_norm_(parameters, value, 2.0, false);
        } else {
            torch.clip_grad_value_(parameters, value);
        }
    }

    /**
     * A NaN or infinite loss makes backward() write NaN into every weight it reaches, and training then goes on
     * silently. Lightning only catches it with detect_anomaly; we warn once at the first one (reading the loss costs a
     * device sync, so only until then) and, with detectAnomaly, stop before its backward pass.
     */
    private void checkFinite(Tensor loss, int batchIdx, boolean logged) {
        if (nonFiniteLossReported && !cfg.detectAnomaly) {
            return;
        }
        double value = logged ? st.loggedScalarValue() : loss.item_double();
        if (Double.isFinite(value)) {
            return;
        }
        String where = "trainingStep returned a non-finite loss (" + value + ") at epoch " + st.currentEpoch
                + ", batch " + batchIdx + ", global step " + st.globalStep;
        if (cfg.detectAnomaly) {
            throw new AnomalyDetectedException(where + "; detectAnomaly(true) stops training here, before its"
                    + " backward pass changes any weight");
        }
        nonFiniteLossReported = true;
        LOG.warn("{}; its backward pass will make the weights non-finite. Training goes on, as in Lightning; set"
                + " Trainer.builder().detectAnomaly(true) to stop at the first non-finite loss. Reported once per"
                + " fit.", where);
    }

    /** Rejects a loss the optimizer cannot use, with a message that says why, before it reaches native code. */
    static void checkLoss(Tensor loss, int batchIdx, String where) {
        if (loss == null || loss.isNull()) {
            throw new MisconfigurationException(where + " returned null at batch " + batchIdx + "; in automatic"
                    + " optimization it must return the loss tensor (a scalar that requires grad)");
        }
        if (!loss.defined()) {
            throw new MisconfigurationException(where + " returned an undefined tensor at batch " + batchIdx);
        }
        if (loss.numel() != 1) {
            throw new MisconfigurationException(where + " must return a scalar loss, but at batch " + batchIdx
                    + " it returned a tensor of shape " + java.util.Arrays.toString(loss.shape())
                    + "; reduce it, e.g. with mean()");
        }
        if (!loss.requires_grad()) {
            throw new MisconfigurationException("The loss returned by " + where + " at batch " + batchIdx
                    + " does not require grad, so backward() cannot compute gradients: it was detached, computed"
                    + " under NoGradGuard, or computed from tensors that do not require grad (are the module's"
                    + " layers registered with register_module?)");
        }
    }

    private boolean shouldUpdateLogs() {
        int n = cfg.logEveryNSteps;
        if (n == 0) {
            return false;
        }
        return (st.batchesThatStepped + 1) % n == 0 || st.shouldStop || cfg.fastDevRun > 0;
    }

    private boolean shouldCheckVal(int batchIdx) {
        if (!validationEnabled) {
            return false;
        }
        if (cfg.checkValEveryNEpoch.isPresent() && (st.currentEpoch + 1) % cfg.checkValEveryNEpoch.getAsInt() != 0) {
            return false;
        }
        if (st.shouldStop && canStopEarly()) {
            return true;
        }
        long current = cfg.checkValEveryNEpoch.isPresent() ? batchIdx : totalBatchIdx;
        return (current + 1) % valCheckBatch == 0;
    }
}
