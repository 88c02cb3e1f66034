package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointException;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint's file names, save points, top-k bookkeeping, state and resume paths, as Lightning's. */
class ModelCheckpointTest {

    @TempDir
    Path dir;

    private Trainer trainer(int epochs, Callback... callbacks) {
        return Trainer.builder().maxEpochs(epochs).numSanityValSteps(0).defaultRootDir(dir)
                .logger(CSVLogger.builder(dir).version(0).build()).callbacks(callbacks).build();
    }

    private List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** Records val_loss at every validation end. */
    static final class ValLosses implements Callback {
        final List<Double> values = new ArrayList<>();

        @Override
        public void onValidationEnd(Trainer trainer, LightningModule module) {
            values.add(trainer.callbackMetrics().get("val_loss"));
        }
    }

    @Test
    void defaultSavesEveryEpochToLogDirCheckpointsKeepingTheLatest() throws IOException {
        ModelCheckpoint mc = ModelCheckpoint.of();
        trainer(3, mc).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        Path ckdir = dir.resolve("lightning_logs/version_0/checkpoints");
        assertEquals(List.of("epoch=2-step=9.ckpt"), files(ckdir));
        assertEquals(ckdir.resolve("epoch=2-step=9.ckpt").toAbsolutePath().toString(), mc.bestModelPath());
        assertTrue(mc.bestModelScore().isEmpty());
        assertEquals("ModelCheckpoint{'monitor': None, 'mode': 'min', 'every_n_train_steps': 0, 'every_n_epochs': 1,"
                + " 'train_time_interval': None}", mc.stateKey());
    }

    @Test
    void topKByMonitorKeepsTheKBestAndRemovesTheRest() throws IOException {
        ValLosses losses = new ValLosses();
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("ck")).monitor("val_loss").saveTopK(2)
                .filename("{epoch}-{val_loss:.4f}").build();
        trainer(5, losses, mc).fit(new TinyNet(), TinyNet.data(16, 4, 2), TinyNet.data(8, 4, 3));
        assertEquals(5, losses.values.size());
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        order.sort((x, y) -> Double.compare(losses.values.get(x), losses.values.get(y)));
        List<String> expected = new ArrayList<>();
        for (int e : order.subList(0, 2)) {
            expected.add("epoch=" + e + "-val_loss=" + PythonFormatSpec.format(losses.values.get(e), ".4f") + ".ckpt");
        }
        expected.sort(null);
        assertEquals(expected, files(dir.resolve("ck")));
        assertEquals(losses.values.get(order.get(0)), mc.bestModelScore().getAsDouble());
        assertTrue(mc.bestModelPath().endsWith("epoch=" + order.get(0) + "-val_loss="
                + PythonFormatSpec.format(losses.values.get(order.get(0)), ".4f") + ".ckpt"));
        assertEquals(2, mc.bestKModels().size());
    }

    @Test
    void saveTopKZeroWithSaveLastKeepsOnlyLastAndMinusOneKeepsAll() throws IOException {
        ModelCheckpoint lastOnly = ModelCheckpoint.builder().dirpath(dir.resolve("a")).saveTopK(0).saveLast(true)
                .build();
        trainer(3, lastOnly).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        assertEquals(List.of("last.ckpt"), files(dir.resolve("a")));
        assertEquals(dir.resolve("a/last.ckpt").toAbsolutePath().toString(), lastOnly.lastModelPath());
        assertEquals("", lastOnly.bestModelPath());

        ModelCheckpoint all = ModelCheckpoint.builder().dirpath(dir.resolve("b")).saveTopK(-1).build();
        trainer(3, all).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        assertEquals(List.of("epoch=0-step=3.ckpt", "epoch=1-step=6.ckpt", "epoch=2-step=9.ckpt"),
                files(dir.resolve("b")));
    }

    @Test
    void everyNTrainStepsSavesAfterTheOptimizerStep() throws IOException {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("s")).everyNTrainSteps(2).saveTopK(-1)
                .build();
        trainer(2, mc).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        // 3 batches per epoch: steps 2 (epoch 0), 4 and 6 (epoch 1); the epoch end does not save
        assertEquals(List.of("epoch=0-step=2.ckpt", "epoch=1-step=4.ckpt", "epoch=1-step=6.ckpt"),
                files(dir.resolve("s")));
    }

    @Test
    void everyNEpochsSkipsEpochsAndNameClashesGetAVersionSuffix() throws IOException {
        Path ck = Files.createDirectories(dir.resolve("v"));
        Files.writeString(ck.resolve("epoch=1-step=6.ckpt"), "someone else's file");
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(ck).everyNEpochs(2).saveTopK(-1).build();
        trainer(4, mc).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        assertEquals(List.of("epoch=1-step=6-v1.ckpt", "epoch=1-step=6.ckpt", "epoch=3-step=12.ckpt"), files(ck));
        assertEquals("someone else's file", Files.readString(ck.resolve("epoch=1-step=6.ckpt")));
    }

    @Test
    void trainTimeIntervalSavesWhenTheClockSaysSo() throws IOException {
        AtomicLong now = new AtomicLong();
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("t")).saveTopK(-1)
                .trainTimeInterval(Duration.ofSeconds(10)).clock(now::get).build();
        Callback tick = new Callback() {
            @Override
            public void onTrainBatchStart(Trainer trainer, LightningModule module, dev.jlightning.data.Batch batch,
                    int batchIdx) {
                now.addAndGet(Duration.ofSeconds(4).toNanos());
            }
        };
        trainer(2, tick, mc).fit(new TinyNet(), TinyNet.data(12, 4, 1));
        // 4 s per step: 12 s at step 3 saves, then 12 s later at step 6
        assertEquals(List.of("epoch=0-step=3.ckpt", "epoch=1-step=6.ckpt"), files(dir.resolve("t")));
    }

    @Test
    void checkpointCarriesTheCallbackStateUnderItsKey() {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("st")).monitor("val_loss").saveLast(true)
                .build();
        trainer(2, mc).fit(new TinyNet(), TinyNet.data(12, 4, 1), TinyNet.data(8, 4, 3));
        Checkpoint last = new AtomicCheckpointIO().load(Path.of(mc.lastModelPath()));
        Map<String, Object> state = last.callbackState(mc.stateKey()).orElseThrow();
        assertEquals("val_loss", state.get("monitor"));
        assertEquals(mc.bestModelPath(), state.get("best_model_path"));
        assertEquals(mc.lastModelPath(), state.get("last_model_path"));
        assertEquals(mc.bestModelScore().getAsDouble(), ((Number) state.get("best_model_score")).doubleValue());
        assertEquals(List.of("monitor", "best_model_score", "best_model_path", "current_score", "dirpath",
                "best_k_models", "kth_best_model_path", "kth_value", "last_model_path"), List.copyOf(state.keySet()));
    }

    @Test
    void fitWithLastResumesFromLastCkptAndKeepsCounting() {
        Path ck = dir.resolve("r");
        TinyNet first = new TinyNet();
        trainer(2, ModelCheckpoint.builder().dirpath(ck).saveLast(true).build()).fit(first, TinyNet.data(12, 4, 1));
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(ck).saveLast(true).build();
        Trainer t = trainer(4, mc);
        t.fit(new TinyNet(), TinyNet.data(12, 4, 1), "last");
        assertEquals(ck.resolve("last.ckpt").toAbsolutePath(), t.ckptPath().orElseThrow());
        assertEquals(12, t.globalStep());
        assertEquals(4, t.currentEpoch());
        assertTrue(Files.exists(ck.resolve("epoch=3-step=12.ckpt")));
        assertFalse(Files.exists(ck.resolve("epoch=1-step=6.ckpt")), "the previous best was replaced");
        assertEquals(ck.resolve("last.ckpt").toAbsolutePath().toString(), mc.lastModelPath());
    }

    @Test
    void fitWithLastAndNoCheckpointStartsAfresh() {
        Trainer t = trainer(1, ModelCheckpoint.builder().dirpath(dir.resolve("none")).saveLast(true).build());
        t.fit(new TinyNet(), TinyNet.data(12, 4, 1), "last");
        assertTrue(t.ckptPath().isEmpty());
        assertEquals(3, t.globalStep());
    }

    @Test
    void fitWithBestUsesTheBestModelOfThisProcess() {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("b")).monitor("val_loss").build();
        Trainer t = trainer(2, mc);
        t.fit(new TinyNet(), TinyNet.data(12, 4, 1), TinyNet.data(8, 4, 3));
        String best = mc.bestModelPath();
        Trainer again = trainer(3, mc);
        again.fit(new TinyNet(), TinyNet.data(12, 4, 1), TinyNet.data(8, 4, 3), "best");
        assertEquals(Path.of(best), again.ckptPath().orElseThrow());
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> Trainer.builder().maxEpochs(1).defaultRootDir(dir).enableCheckpointing(false).build()
                        .fit(new TinyNet(), TinyNet.data(12, 4, 1), "best"));
        assertTrue(e.getMessage().contains("ModelCheckpoint is not configured"), e.getMessage());
        // the default ModelCheckpoint of a fresh Trainer has saved nothing yet
        e = assertThrows(MisconfigurationException.class,
                () -> trainer(1).fit(new TinyNet(), TinyNet.data(12, 4, 1), "best"));
        assertTrue(e.getMessage().contains("ModelCheckpoint has not saved a best model yet"), e.getMessage());
    }

    @Test
    void weightsOnlyCheckpointsLoadForInferenceButDoNotResume() {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("w")).saveWeightsOnly(true).build();
        TinyNet trained = new TinyNet();
        trained.saveHyperparameters(Map.of("hidden", 3));
        trainer(2, mc).fit(trained, TinyNet.data(12, 4, 1));
        Path file = Path.of(mc.bestModelPath());
        TinyNet loaded = LightningModule.loadFromCheckpoint(file, TinyNet::new);
        assertTrue(org.bytedeco.pytorch.global.torch.equal(trained.fc.weight(), loaded.fc.weight()));
        assertEquals(Map.of("hidden", 3L), loaded.hparams());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> trainer(3).fit(new TinyNet(), TinyNet.data(12, 4, 1), file.toString()));
        assertTrue(e.getMessage().contains("only the model's weights"), e.getMessage());
    }

    @Test
    void formatCheckpointNameFollowsLightningsTemplates() {
        ModelCheckpoint mc = ModelCheckpoint.builder().filename("{epoch:02d}-{val_loss:.2f}-{other}").build();
        Map<String, Number> metrics = Map.of("epoch", 3L, "val_loss", 0.125);
        assertEquals("epoch=03-val_loss=0.12-other=0.ckpt",
                mc.formatCheckpointName(metrics, "{epoch:02d}-{val_loss:.2f}-{other}", OptionalInt.empty()));
        assertEquals("epoch=03-v2.ckpt", mc.formatCheckpointName(metrics, "{epoch:02d}", OptionalInt.of(2)));
        ModelCheckpoint plain = ModelCheckpoint.builder().autoInsertMetricName(false).build();
        assertEquals("3-0.125.ckpt", plain.formatCheckpointName(metrics, "{epoch}-{val_loss}", OptionalInt.empty()));
        assertEquals("last.ckpt", plain.formatCheckpointName(metrics, "last", OptionalInt.empty()));
        assertEquals("1.234e-05", PythonFormatSpec.format(1.2345e-5, ".3e"), "the double below 1.2345e-5 rounds down, as in Python");
        assertEquals("0.000123", PythonFormatSpec.format(0.000123, "g"));
        assertEquals("  3.50", PythonFormatSpec.format(3.5, "6.2f"));
    }

    @Test
    void wrongOptionsAreRefusedWithLightningsMessages() {
        assertEquals("Invalid value for save_top_k=-2. Must be >= -1", assertThrows(MisconfigurationException.class,
                () -> ModelCheckpoint.builder().saveTopK(-2)).getMessage());
        assertEquals("ModelCheckpoint(save_top_k=3, monitor=None) is not a valid configuration. No quantity for top_k"
                + " to track.", assertThrows(MisconfigurationException.class,
                        () -> ModelCheckpoint.builder().saveTopK(3).build()).getMessage());
        assertTrue(assertThrows(MisconfigurationException.class,
                () -> ModelCheckpoint.builder().everyNTrainSteps(2).everyNEpochs(1).build()).getMessage()
                .contains("should be mutually exclusive"));
        assertEquals("`mode` can be min or max, got best", assertThrows(MisconfigurationException.class,
                () -> ModelCheckpoint.builder().mode("best")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.builder().filename("{val_loss:.2q}").build());
    }

    @Test
    void monitorsATrainingEpochAggregateAtTheEpochsEnd() {
        // Lightning's test_model_checkpoint_score_and_ckpt with monitor="train_loss_epoch": the epoch mean must be
        // visible to ModelCheckpoint in on_train_epoch_end, not the previous epoch's value
        List<Double> epochMeans = new ArrayList<>();
        TinyNet net = new TinyNet() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = torch.mse_loss(fc.forward(batch.x()), batch.y());
                log("train_loss", loss, dev.jlightning.core.LogOptions.builder().onEpoch(true).build());
                return loss;
            }
        };
        Callback recorder = new Callback() {
            @Override
            public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
                epochMeans.add(trainer.callbackMetrics().get("train_loss_epoch"));
            }
        };
        ModelCheckpoint mc = ModelCheckpoint.builder().monitor("train_loss_epoch").saveTopK(-1).build();
        trainer(3, recorder, mc).fit(net, TinyNet.data(12, 4, 1));
        assertEquals(3, epochMeans.size());
        assertEquals(3, mc.bestKModels().size());
        // one checkpoint per epoch, each scored with that epoch's own mean
        List<Double> scores = new ArrayList<>(mc.bestKModels().values());
        scores.sort(null);
        List<Double> expected = new ArrayList<>(epochMeans);
        expected.sort(null);
        assertEquals(expected, scores);
        assertEquals(java.util.Collections.min(epochMeans), mc.bestModelScore().getAsDouble());
    }
}
