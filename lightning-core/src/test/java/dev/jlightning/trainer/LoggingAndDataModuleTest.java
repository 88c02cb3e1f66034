package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lightning's logging defaults per hook, batch-size-weighted epoch means, hparams, and data modules. */
class LoggingAndDataModuleTest {

    @TempDir
    Path dir;

    @Test
    void validationEpochValueIsTheBatchSizeWeightedMean() {
        // 25 validation samples in batches of 10, 10, 5; each batch logs its own index as the value
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public void validationStep(Batch batch, int batchIdx) {
                log("idx", batchIdx);
            }
        };
        var result = Trainer.builder().defaultRootDir(dir).logger(false).build().validate(m, Data.loader(25, 4, 10));
        // (0*10 + 1*10 + 2*5) / 25 = 0.8, computed in float32 as Lightning does
        assertEquals((double) (20f / 25f), result.get(0).get("idx"), 0.0);
    }

    @Test
    void trainingStepDefaultsToStepOnlyAndEpochHookToEpochOnly() throws Exception {
        List<Double> seenInCallbackMetrics = new ArrayList<>();
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                log("both", batchIdx, LogOptions.builder().onEpoch(true).build());
                return super.trainingStep(batch, batchIdx);
            }

            @Override
            public void onTrainEpochEnd() {
                log("epoch_only", 7.0);
                seenInCallbackMetrics.add(trainer().orElseThrow().callbackMetrics().get("both"));
            }
        };
        m.saveHyperparameters(Map.of("lr", 0.1, "hidden", 8));
        CSVLogger logger = CSVLogger.builder(dir).version(0).build();
        Trainer trainer = Trainer.builder().logger(logger).maxEpochs(1).logEveryNSteps(1).build();
        trainer.fit(m, Data.loader(30, 4, 10));
        Map<String, Double> cb = trainer.callbackMetrics();
        // step values of batch 2 and the epoch mean (0+1+2)/3 = 1
        assertEquals(2.0, cb.get("both_step"));
        assertEquals(1.0, cb.get("both_epoch"));
        assertEquals(1.0, cb.get("both"));
        assertEquals(7.0, cb.get("epoch_only"));
        assertTrue(cb.containsKey("train_loss"));
        assertFalse(cb.containsKey("train_loss_step"), "a step-only metric is not forked");
        // from the epoch's end on the plain name holds the epoch aggregate, as Lightning's lazily computed
        // callback_metrics do once epoch_end_reached() is called
        assertEquals(List.of(1.0), seenInCallbackMetrics);
        List<String> lines = Files.readAllLines(dir.resolve("lightning_logs/version_0/metrics.csv"));
        assertEquals("both_epoch,both_step,epoch,epoch_only,step,train_loss", lines.get(0));
        assertEquals(1 + 3 + 1, lines.size());
        assertTrue(lines.get(4).startsWith("1.0,,0,7.0,2,"), lines.get(4));
        assertEquals("hidden: 8\nlr: 0.1\n", Files.readString(dir.resolve("lightning_logs/version_0/hparams.yaml")));
    }

    @Test
    void dataModuleProvidesLoadersAfterSetup() {
        List<String> calls = new ArrayList<>();
        LightningDataModule dm = new LightningDataModule() {
            @Override
            public void prepareData() {
                calls.add("prepare");
            }

            @Override
            public void setup(String stage) {
                calls.add("setup:" + stage);
            }

            @Override
            public DataLoader trainDataloader() {
                return Data.loader(40, 4, 10);
            }

            @Override
            public DataLoader valDataloader() {
                return Data.loader(20, 4, 10);
            }
        };
        Trainer trainer = Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(2).build();
        trainer.fit(new Mlp(4, 8, 0.1), dm);
        assertEquals(List.of("prepare", "setup:fit"), calls);
        assertEquals(8, trainer.globalStep());
        assertTrue(trainer.callbackMetrics().containsKey("val_loss"));
        assertTrue(dm.provides("valDataloader"));
        assertFalse(dm.provides("testDataloader"));
    }
}
