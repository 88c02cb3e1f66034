package dev.jlightning.cli;

import dev.jlightning.trainer.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config files, overrides, print_config, help, the saved config.yaml and the other subcommands. */
class LightningCLITest {
    static final String CONFIG = CliScenarioTest.COMMON
            + "optimizer:\n  class_path: torch.optim.SGD\n  init_args: {lr: 0.1}\n"
            + "lr_scheduler:\n  class_path: StepLR\n  init_args: {step_size: 1, gamma: 0.5}\n";

    @TempDir
    Path tmp;

    private Path write(String name, String yaml) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    private String printConfig(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LightningCLI.builder().out(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build().run(args);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) throws IOException {
        return ConfigMaps.YAML.readValue(text, Map.class);
    }

    @Test
    void laterFilesOverrideEarlierAndOverridesBeatFiles() throws IOException {
        Path base = write("base.yaml", CONFIG);
        Path second = write("second.yaml", "trainer:\n  max_epochs: 3\n  log_every_n_steps: 2\n");
        Map<String, Object> both = yaml(printConfig("fit", "--config", base.toString(), "--config",
                second.toString(), "--print_config"));
        Map<String, Object> trainer = ConfigMaps.asMap(both.get("trainer"));
        assertEquals(3, trainer.get("max_epochs"));
        assertEquals(2, trainer.get("log_every_n_steps"));
        assertEquals(false, trainer.get("enable_progress_bar"), "keys the later file leaves out stay");

        // an override wins over both files, wherever it stands; --key VALUE and --model.KEY shorthand work too
        Map<String, Object> over = yaml(printConfig("fit", "--trainer.max_epochs=20", "--config", base.toString(),
                "--config", second.toString(), "--model.hidden", "256", "--lr_scheduler.gamma=0.1",
                "--print_config"));
        assertEquals(20, ConfigMaps.asMap(over.get("trainer")).get("max_epochs"));
        Map<String, Object> model = ConfigMaps.asMap(over.get("model"));
        assertEquals("dev.jlightning.cli.RegressionModel", model.get("class_path"));
        assertEquals(Map.of("in", 4, "hidden", 256, "activation", "relu"), model.get("init_args"));
        assertEquals(0.1, ConfigMaps.asMap(ConfigMaps.asMap(over.get("lr_scheduler")).get("init_args"))
                .get("gamma"));
    }

    @Test
    void printConfigListsEveryTrainerDefaultAndTheModelDefaults() throws IOException {
        String printed = printConfig("fit", "--config", write("c.yaml", CONFIG).toString(), "--print_config");
        Map<String, Object> config = yaml(printed);
        assertEquals(java.util.List.of("seed_everything", "trainer", "model", "data", "optimizer", "lr_scheduler",
                "ckpt_path"), java.util.List.copyOf(config.keySet()));
        Map<String, Object> trainer = ConfigMaps.asMap(config.get("trainer"));
        assertEquals(TrainerOptions.ALL.size(), trainer.size());
        assertEquals("auto", trainer.get("accelerator"));
        assertEquals(-1, trainer.get("max_steps"));
        assertEquals(1, trainer.get("check_val_every_n_epoch"));
        assertTrue(trainer.containsKey("gradient_clip_val") && trainer.get("gradient_clip_val") == null);
        assertEquals(java.util.List.of(Map.of("class_path", "dev.jlightning.callbacks.LearningRateMonitor",
                "init_args", Map.of())), trainer.get("callbacks"));
        assertEquals(Map.of("samples", 256, "features", 4, "batch_size", 32),
                ConfigMaps.asMap(config.get("data")).get("init_args"));
        assertTrue(printed.contains("ckpt_path: null"), printed);
    }

    @Test
    void precisionCheckpointingAndDeterministicReachTheTrainer() throws IOException {
        Path base = write("base.yaml", CONFIG);
        LightningCLI.Result r = LightningCLI.builder().build().run("fit", "--config", base.toString(),
                "--trainer.max_epochs=1", "--trainer.default_root_dir=" + tmp.resolve("keys"),
                "--trainer.precision=bf16-mixed", "--trainer.enable_checkpointing=false",
                "--trainer.deterministic=warn", "--trainer.detect_anomaly=true");
        try {
            var config = r.trainer().orElseThrow().config();
            assertEquals("bf16-mixed", config.precision());
            assertFalse(config.enableCheckpointing());
            assertEquals("WARN", config.deterministic().orElseThrow().name());
            assertTrue(config.detectAnomaly());
            assertFalse(Files.exists(r.trainer().orElseThrow().logDir().resolve("checkpoints")));
        } finally {
            r.model().orElseThrow().close();
            org.bytedeco.pytorch.global.torch.globalContext().setDeterministicAlgorithms(false, false);
        }
        Map<String, Object> printed = yaml(printConfig("fit", "--config", base.toString(), "--trainer.precision=16",
                "--print_config"));
        assertEquals(16, ConfigMaps.asMap(printed.get("trainer")).get("precision"));
        CliConfigException bad = assertThrows(CliConfigException.class, () -> LightningCLI.builder().build()
                .run("fit", "--config", base.toString(), "--trainer.precision=bf17"));
        assertTrue(bad.getMessage().startsWith("trainer.precision: "), bad.getMessage());
        assertTrue(bad.getMessage().contains("bf17"), bad.getMessage());
    }

    @Test
    void printConfigFedBackGivesTheSameRun() throws IOException {
        Path base = write("base.yaml", CONFIG);
        String printed = printConfig("fit", "--config", base.toString(), "--trainer.max_epochs=3",
                "--model.init_args.hidden=8", "--print_config");
        Path direct = CliScenarioTest.cli(tmp, CONFIG, "direct", "--trainer.max_epochs=3",
                "--model.init_args.hidden=8");
        Path fedBack = CliScenarioTest.cli(tmp, printed, "fedback");
        assertEquals(Files.readString(direct), Files.readString(fedBack));
    }

    @Test
    void fitSavesConfigYamlThatReproducesTheRunAndRefusesToOverwriteIt() throws IOException {
        String fixedLogger = CONFIG.replace("  max_epochs: 6\n", "  max_epochs: 2\n  logger:\n"
                + "    class_path: CSVLogger\n    init_args: {save_dir: " + tmp.resolve("logs") + ", version: 0}\n");
        Path file = write("run.yaml", fixedLogger);
        LightningCLI.Result first = LightningCLI.builder().build().run("fit", "--config", file.toString());
        first.model().orElseThrow().close();
        Trainer trainer = first.trainer().orElseThrow();
        Path saved = trainer.logDir().resolve("config.yaml");
        assertTrue(Files.isRegularFile(saved));
        String metrics = Files.readString(trainer.logDir().resolve("metrics.csv"));
        Map<String, Object> config = yaml(Files.readString(saved));
        assertEquals(42, config.get("seed_everything"));
        assertEquals(2, ConfigMaps.asMap(config.get("trainer")).get("max_epochs"));

        // the same log directory again: Lightning's SaveConfigCallback refuses before anything trains
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LightningCLI.builder().build().run("fit", "--config", saved.toString()));
        assertTrue(e.getMessage().startsWith("SaveConfigCallback expected " + saved + " to NOT exist"),
                e.getMessage());
        assertEquals(Files.readString(saved), ConfigMaps.toYaml(yaml(Files.readString(saved))));
        assertEquals(42, yaml(Files.readString(saved)).get("seed_everything"), "the first run's record is kept");

        // asked to overwrite, the saved config repeats the run exactly
        LightningCLI.Result again = LightningCLI.builder().saveConfigOverwrite(true).build()
                .run("fit", "--config", saved.toString());
        again.model().orElseThrow().close();
        assertEquals(metrics, Files.readString(trainer.logDir().resolve("metrics.csv")));
    }

    @Test
    void seedEverythingTrueIsReplacedByTheChosenSeedInTheSavedConfig() throws IOException {
        Path file = write("run.yaml", CONFIG.replace("seed_everything: 42\n", "")
                .replace("  max_epochs: 6\n", "  max_epochs: 1\n"));
        assertTrue(printConfig("fit", "--config", file.toString(), "--print_config")
                .startsWith("seed_everything: true\n"));
        LightningCLI.Result r = LightningCLI.builder().build().run("fit", "--config", file.toString(),
                "--trainer.default_root_dir=" + tmp);
        r.model().orElseThrow().close();
        Object seed = yaml(Files.readString(r.trainer().orElseThrow().logDir().resolve("config.yaml")))
                .get("seed_everything");
        assertTrue(seed instanceof Integer, String.valueOf(seed));
    }

    @Test
    void helpListsEveryTrainerOptionWithItsDefaultAndTheModelsArguments() throws IOException {
        String help = printConfig("fit", "--config", write("c.yaml", CONFIG).toString(), "--help");
        for (TrainerOptions.Option o : TrainerOptions.ALL) {
            assertTrue(help.contains("--trainer." + o.key() + " "), o.key());
        }
        assertTrue(help.matches("(?s).*--trainer\\.max_steps\\s+\\(type: int, default: -1\\).*"), help);
        assertTrue(help.matches("(?s).*--model\\.init_args\\.hidden\\s+\\(type: int, default: 16\\).*"), help);
        assertTrue(help.matches("(?s).*--data\\.init_args\\.batch_size\\s+\\(type: int, default: required\\).*"),
                help);
        assertTrue(help.contains("--config"), help);
        assertTrue(help.contains("--print_config"), help);
        String top = printConfig("--help");
        for (String sub : LightningCLI.SUBCOMMANDS) {
            assertTrue(top.contains(sub), top);
        }
    }

    @Test
    void validateTestAndPredictRunTheModel() throws IOException {
        Path file = write("c.yaml", CONFIG);
        for (String sub : new String[] {"validate", "test"}) {
            LightningCLI.Result r = LightningCLI.builder().saveConfig(false).build().run(sub, "--config",
                    file.toString(), "--trainer.default_root_dir=" + tmp.resolve(sub));
            r.model().orElseThrow().close();
            String key = "validate".equals(sub) ? "val_loss" : "test_loss";
            assertTrue(r.metrics().get(0).get(key) > 0, r.metrics().toString());
        }
        LightningCLI.Result p = LightningCLI.builder().saveConfig(false).build().run("predict", "--config",
                file.toString(), "--trainer.default_root_dir=" + tmp.resolve("predict"));
        assertEquals(2, p.predictions().size(), "64 validation samples in batches of 32");
        assertEquals(32, p.predictions().get(0).size(0));
        p.predictions().forEach(org.bytedeco.pytorch.Tensor::close);
        p.model().orElseThrow().close();
    }

    @Test
    void fitResumesFromCkptPath() throws IOException {
        String withCheckpoint = CONFIG.replace("  max_epochs: 6\n", "  max_epochs: 2\n")
                .replace("    - class_path: LearningRateMonitor\n", "    - class_path: LearningRateMonitor\n"
                        + "    - class_path: ModelCheckpoint\n      init_args: {save_last: true, dirpath: "
                        + tmp.resolve("ckpt") + "}\n");
        Path file = write("c.yaml", withCheckpoint);
        LightningCLI.Result first = LightningCLI.builder().build().run("fit", "--config", file.toString(),
                "--trainer.default_root_dir=" + tmp.resolve("a"));
        first.model().orElseThrow().close();
        Path last = tmp.resolve("ckpt").resolve("last.ckpt");
        assertTrue(Files.isRegularFile(last));
        LightningCLI.Result resumed = LightningCLI.builder().build().run("fit", "--config", file.toString(),
                "--trainer.default_root_dir=" + tmp.resolve("b"), "--trainer.max_epochs=3",
                "--ckpt_path=" + last);
        resumed.model().orElseThrow().close();
        assertEquals(3, resumed.trainer().orElseThrow().currentEpoch());
        assertEquals(24, resumed.trainer().orElseThrow().globalStep());
        assertFalse(Files.readString(resumed.trainer().orElseThrow().logDir().resolve("config.yaml")).isEmpty());
    }

    @Test
    void executeReturnsTwoForAConfigMistakeAndZeroForPrintConfig() throws IOException {
        Path file = write("c.yaml", CONFIG);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, LightningCLI.builder().out(quiet).build().execute("fit", "--config", file.toString(),
                "--trainer.max_epoch=2"));
        assertEquals(2, LightningCLI.builder().out(quiet).build().execute("train"));
        assertEquals(0, LightningCLI.builder().out(quiet).build().execute("fit", "--config", file.toString(),
                "--print_config"));
    }
}
