package dev.jlightning.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code save_hyperparameters()} from a config record or the constructor's named arguments (Lightning's
 * tests_pytorch/models/test_hparams.py: the init arguments end up in {@code hparams}, {@code hparams.yaml} and the
 * checkpoint's {@code hyper_parameters}).
 */
class SaveHyperparametersTest {

    @TempDir
    Path dir;

    enum Activation { RELU, TANH }

    record Schedule(int warmup, double gamma) {
    }

    record Config(int hidden, double lr, String name, Activation activation, Schedule schedule, List<Integer> sizes) {
    }

    static final class FromRecord extends Mlp {
        FromRecord(Config config) {
            super(4, config.hidden(), config.lr());
            saveHyperparameters(config);
        }
    }

    static final class FromArguments extends Mlp {
        FromArguments(int hidden, double lr, Activation activation, Schedule schedule) {
            super(4, hidden, lr);
            saveHyperparameters(hidden, lr, activation, schedule);
        }

        FromArguments(int hidden) {
            super(4, hidden, 0.1);
            saveHyperparameters(hidden);
        }

        FromArguments(int hidden, double lr, boolean wrongCount) {
            super(4, hidden, lr);
            saveHyperparameters(hidden, lr);
        }

        FromArguments(String hidden, int lr) {
            super(4, 8, 0.1);
            saveHyperparameters(lr, hidden);
        }

        FromArguments(int hidden, LinearImpl backbone) {
            super(4, hidden, 0.1);
            saveHyperparameters(hidden, backbone);
        }

        void later() {
            saveHyperparameters(1, 2.0);
        }
    }

    private static final Config CONFIG = new Config(8, 0.05, "mlp", Activation.TANH, new Schedule(3, 0.5),
            List.of(8, 4));

    @Test
    void aRecordsComponentsBecomeTheHyperparametersInDeclarationOrder() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("hidden", 8);
        expected.put("lr", 0.05);
        expected.put("name", "mlp");
        expected.put("activation", "TANH");
        expected.put("schedule", Map.of("warmup", 3, "gamma", 0.5));
        expected.put("sizes", List.of(8, 4));
        Map<String, Object> hp = new FromRecord(CONFIG).hparams();
        assertEquals(expected, hp);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(hp.keySet()));
    }

    @Test
    void recordHyperparametersReachHparamsYamlAndTheCheckpoint() throws Exception {
        FromRecord m = new FromRecord(CONFIG);
        Trainer trainer = Trainer.builder().logger(CSVLogger.builder(dir).version(0).build()).maxEpochs(1).build();
        trainer.fit(m, Data.loader(20, 4, 10));
        assertEquals("activation: TANH\nhidden: 8\nlr: 0.05\nname: mlp\nschedule:\n  gamma: 0.5\n  warmup: 3\nsizes:\n"
                + "- 8\n- 4\n", Files.readString(dir.resolve("lightning_logs/version_0/hparams.yaml")));
        Path ckpt = dir.resolve("model.ckpt");
        trainer.saveCheckpoint(ckpt);
        Map<String, Object> saved = new AtomicCheckpointIO().load(ckpt).hyperParameters();
        assertEquals(8, ((Number) saved.get("hidden")).intValue());
        // JSON integers come back as Long: compare the text, which also shows the declaration order
        assertEquals("{warmup=3, gamma=0.5}", saved.get("schedule").toString());
        assertEquals("TANH", saved.get("activation"));
    }

    @Test
    void aCheckpointsHyperparametersRebuildTheRecord() {
        FromRecord m = new FromRecord(CONFIG);
        Trainer trainer = Trainer.builder().logger(false).defaultRootDir(dir).maxEpochs(1).build();
        trainer.fit(m, Data.loader(20, 4, 10));
        Path ckpt = dir.resolve("model.ckpt");
        trainer.saveCheckpoint(ckpt);
        FromRecord loaded = LightningModule.loadFromCheckpoint(ckpt,
                hp -> new FromRecord(LightningModule.hyperparametersAs(hp, Config.class)));
        assertEquals(m.hparams(), loaded.hparams());
        Map<String, Object> withExtra = new LinkedHashMap<>(m.hparams());
        withExtra.put("lr_find", 0.3);
        assertEquals(CONFIG, LightningModule.hyperparametersAs(withExtra, Config.class));
        Map<String, Object> missing = new LinkedHashMap<>(m.hparams());
        missing.remove("hidden");
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> LightningModule.hyperparametersAs(missing, Config.class));
        assertTrue(e.getMessage().startsWith("The hyperparameters [lr, name, activation, schedule, sizes] cannot be"
                + " read as Config: "), e.getMessage());
        assertTrue(e.getMessage().contains("hidden"), e.getMessage());
    }

    @Test
    void constructorArgumentsAreNamedAfterItsParameters() {
        Map<String, Object> hp = new FromArguments(16, 0.01, Activation.RELU, new Schedule(2, 0.9)).hparams();
        assertEquals(List.of("hidden", "lr", "activation", "schedule"), List.copyOf(hp.keySet()));
        assertEquals(16, hp.get("hidden"));
        assertEquals(0.01, hp.get("lr"));
        assertEquals("RELU", hp.get("activation"));
        assertEquals(Map.of("warmup", 2, "gamma", 0.9), hp.get("schedule"));
        // overloaded constructors are told apart by the calling one's exact signature
        assertEquals(Map.of("hidden", 32), new FromArguments(32).hparams());
    }

    @Test
    void missingArgumentsNameTheConstructor() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> new FromArguments(8, 0.1, true));
        assertEquals("saveHyperparameters got 2 value(s), but the constructor FromArguments(int,double,boolean) that"
                + " calls it has 3 parameter(s); pass every constructor argument, in order, or pass a Map of the ones"
                + " to save", e.getMessage());
    }

    @Test
    void argumentsInTheWrongOrderAreRejected() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> new FromArguments("x", 3));
        assertEquals("saveHyperparameters: value 0 is a Integer, but parameter 'hidden' of"
                + " FromArguments(String,int) is a String; pass the constructor's arguments in order", e.getMessage());
    }

    @Test
    void outsideAConstructorItSaysWhereToCallIt() {
        FromArguments m = new FromArguments(4);
        MisconfigurationException e = assertThrows(MisconfigurationException.class, m::later);
        assertTrue(e.getMessage().contains("but it was called from " + FromArguments.class.getName()
                + ".later; call it from the constructor"), e.getMessage());
    }

    @Test
    void modulesAmongTheArgumentsAreLeftOutWithLightningsWarning() {
        try (LogCapture log = LogCapture.capture()) {
            FromArguments m = new FromArguments(4, new LinearImpl(2, 2));
            assertEquals(Map.of("hidden", 4), m.hparams());
            assertEquals(1, log.matching("Attribute 'backbone' is an instance of `LinearImpl`").size(),
                    log.warnings().toString());
        }
    }

    @Test
    void noArgumentsIsAnErrorThatSaysWhatToPass() {
        Mlp m = new Mlp(4, 8, 0.1);
        MisconfigurationException e = assertThrows(MisconfigurationException.class, () -> m.saveHyperparameters());
        assertTrue(e.getMessage().startsWith("saveHyperparameters() without arguments cannot read the constructor's"
                + " arguments in Java"), e.getMessage());
    }
}
