package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.tuner.LRFinderResult;
import dev.jlightning.tuner.LRFindOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;

/** The finder as a callback: it searches at fit start, then training starts from the untouched weights. */
class LearningRateFinderTest {

    @TempDir
    Path dir;

    /** y = 3x + 2 with SGD(momentum 0.9) at the lr of the hparams. */
    static final class LinReg extends LightningModule {
        final LinearImpl linear = register_module("linear", new LinearImpl(1, 1));

        LinReg() {
            saveHyperparameters(Map.of("lr", 1e-3));
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            return mse_loss(linear.forward(batch.x()), batch.y());
        }

        @Override
        public Object configureOptimizers() {
            SGDOptions o = new SGDOptions(((Number) hparams().get("lr")).doubleValue());
            o.momentum().put(0.9);
            return new SGD(parameters(), o);
        }

        double weight() {
            return linear.weight().item_double();
        }
    }

    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    static DataLoader data() {
        Trainer.seedEverything(5);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(256, 1);
            Tensor y = x.mul(new Scalar(3.0)).add(new Scalar(2.0));
            return DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).build();
        }
    }

    @Test
    void searchesAtFitStartThenTrainsFromTheOriginalWeightsWithTheSuggestion() {
        LinReg model = new LinReg();
        double initialWeight = model.weight();
        List<Double> seen = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onTrainStart(Trainer t, LightningModule m) {
                seen.add(model.weight());
                seen.add(ParamGroups.of(t.optimizers().get(0)).lr(0));
                seen.add((double) t.globalStep());
            }
        };
        LearningRateFinder finder = new LearningRateFinder(LRFindOptions.builder().minLr(1e-6).maxLr(1)
                .numTraining(60).build());
        Trainer trainer = Trainer.builder().defaultRootDir(dir).logger(false).enableProgressBar(false)
                .enableModelSummary(false).maxEpochs(10).callbacks(finder, probe).build();
        trainer.fit(model, data());

        LRFinderResult result = finder.optimalLr().orElseThrow();
        double suggestion = result.suggestion().orElseThrow();
        assertEquals(60, result.lrs().size());
        assertEquals(suggestion, model.hparams().get("lr"));
        // training began from the weights the search started from, with the suggested lr, at step 0
        assertEquals(List.of(initialWeight, suggestion, 0.0), seen);
        assertEquals(80, trainer.globalStep());
        assertEquals(10, trainer.currentEpoch());
    }

    @Test
    void theSearchIsBoundedByTheTrainersMaxEpochsAsInLightning() {
        LearningRateFinder finder = new LearningRateFinder(LRFindOptions.builder().numTraining(100).updateAttr(false)
                .build());
        Trainer trainer = Trainer.builder().defaultRootDir(dir).logger(false).enableProgressBar(false)
                .enableModelSummary(false).maxEpochs(3).callbacks(finder).build();
        trainer.fit(new LinReg(), data());
        // 3 epochs of 8 batches: the search ends with the epochs, as Lightning's keeps the Trainer's max_epochs
        assertEquals(24, finder.optimalLr().orElseThrow().lrs().size());
        assertEquals(24, trainer.globalStep());
    }
}
