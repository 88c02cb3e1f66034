package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lightning's {@code enable_checkpointing=True} default: a {@code ModelCheckpoint()} is added when none is given
 * (tests/tests_pytorch/trainer/connectors/test_callback_connector.py, checkpointing/test_model_checkpoint.py).
 */
class DefaultCheckpointingTest {

    @TempDir
    Path dir;

    private static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private Trainer trainer(int epochs, boolean checkpointing, Callback... callbacks) {
        return Trainer.builder().maxEpochs(epochs).numSanityValSteps(0).defaultRootDir(dir).logEveryNSteps(1)
                .logger(CSVLogger.builder(dir).version(0).build()).enableProgressBar(false)
                .enableModelSummary(false).enableCheckpointing(checkpointing).callbacks(callbacks).build();
    }

    @Test
    void runWithoutCheckpointOptionsWritesTheLatestEpochCheckpointUnderLogDir() throws IOException {
        Trainer trainer = Trainer.builder().maxEpochs(3).numSanityValSteps(0).defaultRootDir(dir).logEveryNSteps(1)
                .logger(CSVLogger.builder(dir).version(0).build()).build();
        trainer.fit(new TinyNet(), TinyNet.data(12, 4, 1));
        Path logDir = dir.resolve("lightning_logs/version_0");
        // the only addition to a run's files: checkpoints/ with Lightning's default name for the last epoch
        assertEquals(List.of("checkpoints", "hparams.yaml", "metrics.csv"), files(logDir));
        assertEquals(List.of("epoch=2-step=9.ckpt"), files(logDir.resolve("checkpoints")));
        ModelCheckpoint mc = (ModelCheckpoint) trainer.checkpointCallback().orElseThrow();
        assertEquals(logDir.resolve("checkpoints/epoch=2-step=9.ckpt").toAbsolutePath().toString(),
                mc.bestModelPath());
        assertEquals("ModelCheckpoint{'monitor': None, 'mode': 'min', 'every_n_train_steps': 0, 'every_n_epochs': 1,"
                + " 'train_time_interval': None}", mc.stateKey());
    }

    @Test
    void defaultCallbacksComeInLightningsOrderCheckpointFirst() {
        Trainer trainer = Trainer.builder().defaultRootDir(dir).build();
        List<Class<?>> kinds = trainer.callbacks().stream().map(Object::getClass).collect(Collectors.toList());
        assertEquals(List.of(ModelCheckpoint.class, ProgressBar.class, ModelSummary.class), kinds);
    }

    @Test
    void withoutLoggerTheDefaultCheckpointGoesToDefaultRootDirCheckpoints() throws IOException {
        Trainer.builder().maxEpochs(2).numSanityValSteps(0).defaultRootDir(dir).logger(false)
                .enableProgressBar(false).build().fit(new TinyNet(), TinyNet.data(8, 4, 1));
        assertEquals(List.of("checkpoints"), files(dir));
        assertEquals(List.of("epoch=1-step=4.ckpt"), files(dir.resolve("checkpoints")));
    }

    @Test
    void enableCheckpointingFalseWritesNoCheckpoint() throws IOException {
        Trainer trainer = trainer(2, false);
        trainer.fit(new TinyNet(), TinyNet.data(8, 4, 1));
        assertTrue(trainer.checkpointCallback().isEmpty());
        assertEquals(List.of("hparams.yaml", "metrics.csv"), files(dir.resolve("lightning_logs/version_0")));
    }

    @Test
    void aModelCheckpointAmongTheCallbacksReplacesTheDefault() throws IOException {
        ModelCheckpoint own = ModelCheckpoint.builder().dirpath(dir.resolve("own")).filename("{epoch}").build();
        Trainer trainer = trainer(2, true, own);
        assertEquals(1, trainer.callbacks().stream().filter(c -> c instanceof ModelCheckpoint).count());
        assertSame(own, trainer.checkpointCallback().orElseThrow());
        trainer.fit(new TinyNet(), TinyNet.data(8, 4, 1));
        assertEquals(List.of("epoch=1.ckpt"), files(dir.resolve("own")));
        assertFalse(Files.exists(dir.resolve("lightning_logs/version_0/checkpoints")));
    }

    @Test
    void enableCheckpointingFalseWithAModelCheckpointIsAConfigurationError() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer(1, false, ModelCheckpoint.of()));
        assertEquals("Trainer was configured with `enable_checkpointing=False` but found `ModelCheckpoint` in"
                + " callbacks list.", e.getMessage());
    }

    @Test
    void fastDevRunWritesNoCheckpoint() {
        Trainer.builder().fastDevRun(true).defaultRootDir(dir).enableProgressBar(false).build()
                .fit(new TinyNet(), TinyNet.data(8, 4, 1));
        assertFalse(Files.exists(dir.resolve("checkpoints")));
        assertFalse(Files.exists(dir.resolve("lightning_logs")));
    }

    @Test
    void ckptPathBestResumesFromTheDefaultCheckpoint() {
        Trainer trainer = trainer(2, true);
        trainer.fit(new TinyNet(), TinyNet.data(8, 4, 1));
        Path best = Path.of(((ModelCheckpoint) trainer.checkpointCallback().orElseThrow()).bestModelPath());
        assertEquals("epoch=1-step=4.ckpt", best.getFileName().toString());
        trainer.fit(new TinyNet(), TinyNet.data(8, 4, 1), "best");
        assertEquals(best, trainer.ckptPath().orElseThrow());
        // restored at the end of epoch 1 of 2: nothing left to train
        assertEquals(4, trainer.globalStep());
    }

    @Test
    void ckptPathLastWithTheDefaultCheckpointWarnsAndStartsAfreshAsLightning() {
        // Lightning's default ModelCheckpoint has save_last=None: "last" finds no last*.ckpt, warns, and trains anew
        Trainer trainer = trainer(2, true);
        try (LogCapture log = LogCapture.capture()) {
            trainer.fit(new TinyNet(), TinyNet.data(8, 4, 1), "last");
            assertEquals(1, log.matching("fit(ckptPath=\"last\") is set, but there is no last checkpoint").size(),
                    log.warnings().toString());
        }
        assertTrue(trainer.ckptPath().isEmpty());
        assertEquals(4, trainer.globalStep());
    }

    @Test
    void ckptPathLastFindsTheNewestLastCheckpointOfAModelCheckpoint() throws IOException {
        Path ck = dir.resolve("ck");
        trainer(2, true, ModelCheckpoint.builder().dirpath(ck).saveLast(true).build())
                .fit(new TinyNet(), TinyNet.data(8, 4, 1));
        // a file that merely contains "last" is not a last checkpoint (Lightning matches ^last(-\d+)?)
        Files.copy(ck.resolve("last.ckpt"), ck.resolve("epoch=9-not-last.ckpt"));
        Trainer again = trainer(3, true, ModelCheckpoint.builder().dirpath(ck).saveLast(true).build());
        again.fit(new TinyNet(), TinyNet.data(8, 4, 1), "last");
        assertEquals(ck.resolve("last.ckpt").toAbsolutePath().normalize(), again.ckptPath().orElseThrow());
        assertEquals(6, again.globalStep());
    }
}
