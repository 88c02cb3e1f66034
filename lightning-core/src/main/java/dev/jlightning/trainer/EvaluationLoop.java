package dev.jlightning.trainer;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.LoggingHook;
import dev.jlightning.precision.ForwardContext;
import dev.jlightning.precision.Precision;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * One pass of validation or test: the module in eval mode, gradients off, epoch metrics reduced and published.
 *
 * <p>Counterpart of Lightning's {@code _EvaluationLoop}, used inside fit (validation and the sanity check) and by
 * {@code Trainer.validate} / {@code Trainer.test}. Each batch runs in its own native-memory scope.
 */
final class EvaluationLoop {

    private final Trainer trainer;
    private final TrainerState st;
    private final LightningModule module;
    private final HookDispatcher hooks;
    private final boolean test;

    EvaluationLoop(Trainer trainer, LightningModule module, String stage) {
        this.trainer = trainer;
        this.st = trainer.state;
        this.module = module;
        this.hooks = trainer.hooks();
        this.test = "test".equals(stage);
    }

    /** A standalone validate/test run outside fit. */
    static List<Map<String, Double>> standalone(Trainer trainer, LightningModule module, DataLoader given,
            String stage) {
        if (module == null) {
            throw new MisconfigurationException(stage + " needs a LightningModule, got null");
        }
        if (given == null) {
            throw new MisconfigurationException(stage + " needs a DataLoader, got null");
        }
        DataLoader loader = given;
        TrainerState st = trainer.state;
        st.resetForRun(stage);
        st.module = module;
        module.attachTrainer(trainer);
        HookDispatcher hooks = trainer.hooks();
        String status = "failed";
        try {
            trainer.setupDistributed();
            st.device = trainer.worldSize() > 1 ? trainer.strategy().rootDevice()
                    : AcceleratorConnector.device(trainer.config().deviceSpec);
            if (trainer.worldSize() > 1 && trainer.config().useDistributedSampler) {
                loader = trainer.strategy().processDataloader(loader);
            }
            if (!"cpu".equals(trainer.config().deviceSpec)) {
                module.to(st.device, false);
            }
            trainer.strategy().precision().convertModule(module);
            hooks.callbacks(c -> c.setup(trainer, module, stage));
            boolean isTest = "test".equals(stage);
            BatchLimit limit = isTest ? trainer.config().limitTestBatches : trainer.config().limitValBatches;
            int batches = limit.apply(isTest ? "limit_test_batches" : "limit_val_batches", loader.numBatches());
            if (isTest) {
                st.numTestBatches = batches;
            } else {
                st.numValBatches = batches;
            }
            if (loader.numBatches() == 0) {
                throw new MisconfigurationException("The " + stage + " DataLoader is empty: "
                        + loader.dataset().size() + " samples with batch_size=" + loader.batchSize());
            }
            Map<String, Double> metrics = new EvaluationLoop(trainer, module, stage).run(loader, batches, false);
            status = "success";
            return Trainer.single(metrics);
        } catch (RuntimeException | Error e) {
            hooks.exception(trainer, module, e);
            throw trainer.failed(e);
        } finally {
            trainer.finishLoggers(status);
            hooks.callbacks(c -> c.teardown(trainer, module, stage));
            st.activeResults = null;
            st.stage = "";
        }
    }

    /**
     * Runs {@code batches} batches of {@code loader}.
     *
     * @param sanity whether this is the sanity check, whose metrics go nowhere
     * @return the epoch metrics sent to the loggers
     */
    Map<String, Double> run(DataLoader loader, int batches, boolean sanity) {
        boolean wasTraining = module.is_training();
        module.train(false);
        st.evalResults.reset();
        st.activeResults = st.evalResults;
        st.evalResults.setHook(test ? LoggingHook.TEST : LoggingHook.VALIDATION);
        if (test) {
            hooks.call(c -> c.onTestStart(trainer, module), () -> { });
            hooks.call(c -> c.onTestEpochStart(trainer, module), module::onTestEpochStart);
        } else {
            hooks.call(c -> c.onValidationStart(trainer, module), module::onValidationStart);
            hooks.call(c -> c.onValidationEpochStart(trainer, module), module::onValidationEpochStart);
        }
        NoGradGuard noGrad = new NoGradGuard();
        try (DataLoader.BatchIterator it = loader.iterator()) {
            for (int batchIdx = 0; batchIdx < batches; batchIdx++) {
                Batch batch = it.next();
                runBatch(batch, batchIdx);
            }
        } finally {
            noGrad.close();
        }
        st.activeResults = st.evalResults;
        if (test) {
            hooks.call(c -> c.onTestEpochEnd(trainer, module), module::onTestEpochEnd);
        } else {
            hooks.call(c -> c.onValidationEpochEnd(trainer, module), module::onValidationEpochEnd);
        }
        Map<String, Double> logged = st.evalResults.epochLoggerMetrics();
        if (!sanity) {
            st.putCallbackMetrics(trainer.agreed(st.evalResults, st.evalResults.epochCallbackMetrics()));
            st.progressBarMetrics.putAll(st.evalResults.epochProgressBarMetrics());
            st.loggedMetrics.putAll(logged);
            trainer.logToLoggers(logged, OptionalInt.of(st.currentEpoch), st.batchesThatStepped);
        }
        if (test) {
            hooks.call(c -> c.onTestEnd(trainer, module), () -> { });
        } else {
            hooks.call(c -> c.onValidationEnd(trainer, module), module::onValidationEnd);
        }
        module.train(wasTraining);
        return logged;
    }

    private void runBatch(Batch batch, int batchIdx) {
        Precision precision = trainer.strategy().precision();
        try (PointerScope scope = new PointerScope()) {
            Batch b = precision.convertInput(batch.to(st.device));
            st.evalResults.setCurrentBatchSize(b.batchSize());
            if (test) {
                hooks.callbacks(c -> c.onTestBatchStart(trainer, module, b, batchIdx));
                try (ForwardContext forward = precision.forwardContext()) {
                    module.testStep(b, batchIdx);
                }
                hooks.callbacks(c -> c.onTestBatchEnd(trainer, module, b, batchIdx));
            } else {
                hooks.callbacks(c -> c.onValidationBatchStart(trainer, module, b, batchIdx));
                try (ForwardContext forward = precision.forwardContext()) {
                    module.validationStep(b, batchIdx);
                }
                hooks.callbacks(c -> c.onValidationBatchEnd(trainer, module, b, batchIdx));
            }
        } finally {
            batch.close();
        }
    }
}
