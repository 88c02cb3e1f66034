package dev.jlightning.trainer;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.precision.ForwardContext;
import dev.jlightning.precision.Precision;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs {@code predictStep} over a loader with gradients off and collects one detached prediction per batch.
 *
 * <p>Counterpart of Lightning's {@code _PredictionLoop}. Everything else a batch allocates is freed with the batch's
 * scope; the returned predictions are owned by the caller.
 */
final class PredictLoop {

    private PredictLoop() {
    }

    static List<Tensor> run(Trainer trainer, LightningModule module, DataLoader loader) {
        if (module == null || loader == null) {
            throw new MisconfigurationException("predict needs a LightningModule and a DataLoader");
        }
        TrainerState st = trainer.state;
        st.resetForRun("predict");
        st.module = module;
        module.attachTrainer(trainer);
        HookDispatcher hooks = trainer.hooks();
        st.device = AcceleratorConnector.device(trainer.config().deviceSpec);
        if (!"cpu".equals(trainer.config().deviceSpec)) {
            module.to(st.device, false);
        }
        Precision precision = trainer.strategy().precision();
        precision.convertModule(module);
        int batches = trainer.config().limitPredictBatches.apply("limit_predict_batches", loader.numBatches());
        List<Tensor> predictions = new ArrayList<>(batches);
        boolean wasTraining = module.is_training();
        module.train(false);
        hooks.callbacks(c -> c.setup(trainer, module, "predict"));
        hooks.callbacks(c -> c.onPredictStart(trainer, module));
        NoGradGuard noGrad = new NoGradGuard();
        try (DataLoader.BatchIterator it = loader.iterator()) {
            for (int batchIdx = 0; batchIdx < batches; batchIdx++) {
                Batch batch = it.next();
                final int idx = batchIdx;
                try (PointerScope scope = new PointerScope()) {
                    Batch b = precision.convertInput(batch.to(st.device));
                    hooks.callbacks(c -> c.onPredictBatchStart(trainer, module, b, idx));
                    Tensor out;
                    try (ForwardContext forward = precision.forwardContext()) {
                        out = module.predictStep(b, idx);
                    }
                    if (out == null || out.isNull()) {
                        throw new MisconfigurationException("predictStep returned null at batch " + idx);
                    }
                    Tensor kept = out.detach();
                    // one reference for the caller, released when they close it; the scope drops its own
                    kept.retainReference();
                    predictions.add(kept);
                    hooks.callbacks(c -> c.onPredictBatchEnd(trainer, module, kept, b, idx));
                } finally {
                    batch.close();
                }
            }
        } catch (RuntimeException | Error e) {
            predictions.forEach(Tensor::close);
            throw e;
        } finally {
            noGrad.close();
            module.train(wasTraining);
            st.stage = "";
        }
        hooks.callbacks(c -> c.onPredictEnd(trainer, module));
        hooks.callbacks(c -> c.teardown(trainer, module, "predict"));
        return predictions;
    }
}
