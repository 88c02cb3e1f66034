package dev.jlightning.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every kind of config mistake is reported before anything is built, with its dotted path. */
class CliErrorsTest {
    @TempDir
    Path tmp;

    private String error(String yaml, String... extra) throws IOException {
        Path file = tmp.resolve("c.yaml");
        Files.writeString(file, yaml);
        String[] args = new String[4 + extra.length];
        args[0] = "fit";
        args[1] = "--config";
        args[2] = file.toString();
        args[3] = "--trainer.default_root_dir=" + tmp.resolve("run");
        System.arraycopy(extra, 0, args, 4, extra.length);
        String message = assertThrows(CliConfigException.class, () -> LightningCLI.builder().build().run(args))
                .getMessage();
        assertFalse(Files.exists(tmp.resolve("run")), "nothing was written: " + message);
        return message;
    }

    private static final String OK = LightningCLITest.CONFIG;

    @Test
    void unknownKeysGiveTheirDottedPathAndTheClosestKey() throws IOException {
        assertEquals("trainr: unknown key; Did you mean 'trainer'? Accepted: seed_everything, trainer, model, data,"
                + " optimizer, lr_scheduler, Optimizer, ckpt_path", error(OK + "trainr: {}\n"));
        assertEquals("trainer.max_epoch: unknown key; Did you mean 'max_epochs'?",
                error(OK, "--trainer.max_epoch=3").split(" Accepted")[0]);
        assertEquals("model.init_args.hiden: unknown key; Did you mean 'hidden'? Accepted: in, hidden, activation",
                error(OK, "--model.init_args.hiden=3"));
        assertEquals("data.init_args.batchsize: unknown key; Did you mean 'batch_size'? Accepted: samples,"
                + " features, batch_size", error(OK, "--data.batchsize=3"));
        assertEquals("trainer.callbacks[0].init_args.logging_intervall: unknown key; Did you mean"
                + " 'logging_interval'?", error(OK.replace("    - class_path: LearningRateMonitor\n",
                        "    - class_path: LearningRateMonitor\n      init_args: {logging_intervall: step}\n"))
                .split(" Accepted")[0]);
        assertEquals("lr_scheduler.intervall: unknown key; Did you mean 'interval'? Accepted: class_path, init_args,"
                + " interval, frequency, monitor, name, strict", error(OK, "--lr_scheduler.intervall=step"));
        assertEquals("lr_scheduler.intervall: unknown key; Did you mean 'interval'? Accepted: class_path, init_args,"
                + " interval, frequency, monitor, name, strict", error(OK + "  intervall: step\n"));
        assertEquals("lr_scheduler.init_args: StepLR: unknown key 'step_sise'; did you mean 'step_size'? accepted"
                + " keys: name, step_size, gamma, last_epoch",
                error(OK.replace("step_size: 1", "step_sise: 1")));
        assertEquals("optimizer.init_args (SGD): unknown key 'momentun'; did you mean 'momentum'? accepted keys:"
                + " name, lr, momentum, dampening, weight_decay, nesterov", error(OK, "--optimizer.momentun=0.9"));
        assertEquals("Optimizer.lr (Cosine): unknown key 'warmup_epochs'; did you mean 'warmup_epoch'? accepted"
                + " keys: name, learning_rate, warmup_epoch, last_epoch", error(CliScenarioTest.COMMON
                        + "Optimizer:\n  name: Adam\n  lr: {name: Cosine, learning_rate: 0.001, warmup_epochs: 2}\n"));
    }

    @Test
    void wrongTypesNameThePathTheValueAndTheExpectedType() throws IOException {
        assertEquals("trainer.max_epochs: expected int or null, got 'ten' (str)", error(OK, "--trainer.max_epochs=ten"));
        assertEquals("trainer.enable_progress_bar: expected bool, got 3 (int)",
                error(OK, "--trainer.enable_progress_bar=3"));
        assertEquals("model.init_args.hidden: expected int, got 2.5 (float)", error(OK, "--model.hidden=2.5"));
        assertEquals("data.init_args.samples: expected int, got [1, 2] (list)", error(OK, "--data.samples=[1, 2]"));
        assertEquals("seed_everything: expected bool or int, got 'abc' (str)", error(OK, "--seed_everything=abc"));
        assertEquals("optimizer.init_args (SGD): 'lr' must be a number, got 'fast' (str)",
                error(OK, "--optimizer.lr=fast"));
        assertEquals("trainer.callbacks[0].init_args.logging_interval: logging_interval should be `step` or"
                + " `epoch` or `None`, got hour", error(OK.replace("    - class_path: LearningRateMonitor\n",
                        "    - class_path: LearningRateMonitor\n      init_args: {logging_interval: hour}\n")));
        assertEquals("trainer.max_epochs: `max_epochs` must be a non-negative integer or -1, got -5",
                error(OK, "--trainer.max_epochs=-5"));
        assertEquals("data.init_args.batch_size: missing required argument (int)",
                error(OK.replace(", batch_size: 32}", "}")));
    }

    @Test
    void classPathsThatAreNotFoundOrOfTheWrongKindAreNamed() throws IOException {
        assertEquals("model.class_path: class 'dev.jlightning.cli.NoSuchModel' not found. Give a fully qualified"
                + " class name on the class path, or one of JLightning's: LearningRateMonitor, ModelCheckpoint,"
                + " EarlyStopping, ProgressBar, ModelSummary, CSVLogger, TensorBoardLogger",
                error(OK, "--model=dev.jlightning.cli.NoSuchModel"));
        assertEquals("model.class_path: 'dev.jlightning.cli.RegressionData' (dev.jlightning.cli.RegressionData) is"
                + " not a subclass of dev.jlightning.core.LightningModule",
                error(OK, "--model=dev.jlightning.cli.RegressionData"));
        assertEquals("trainer.callbacks[0].class_path: class 'LearningRateMonitr' not found. Did you mean"
                + " 'LearningRateMonitor'?", error(OK.replace("class_path: LearningRateMonitor",
                        "class_path: LearningRateMonitr")).split(" Give")[0]);
        assertEquals("trainer.logger.class_path: 'LearningRateMonitor' (dev.jlightning.callbacks.LearningRateMonitor)"
                + " is not a subclass of dev.jlightning.logging.Logger",
                error(OK, "--trainer.logger={class_path: LearningRateMonitor}"));
        assertEquals("optimizer.init_args: unknown optimizer name 'torch.optim.Adamm'; did you mean 'Adam'? accepted"
                + " names: Adagrad, Adam, AdamW, RMSprop, SGD", error(OK, "--optimizer=torch.optim.Adamm"));
    }

    @Test
    void missingSectionsAndConflictsAreReported() throws IOException {
        assertEquals("data: missing; give the LightningDataModule: data: {class_path: ..., init_args: {...}} (or"
                + " --data=<class>)", error(OK.replace("data:\n", "unused:\n").replace("unused:\n", "")
                        .replace("  class_path: dev.jlightning.cli.RegressionData\n  init_args: {samples: 256,"
                                + " features: 4, batch_size: 32}\n", "")));
        assertEquals("optimizer: missing; dev.jlightning.cli.RegressionModel does not implement configureOptimizers(),"
                + " so the config must give an `optimizer` section (one of [Adagrad, Adam, AdamW, RMSprop, SGD]) or"
                + " PaddleOCR's `Optimizer` block", error(CliScenarioTest.COMMON));
        assertEquals("Optimizer: give either PaddleOCR's `Optimizer` block or the `optimizer` / `lr_scheduler`"
                + " sections, not both", error(OK + "Optimizer:\n  name: Adam\n  lr: {learning_rate: 0.1}\n"));
        assertEquals("lr_scheduler.monitor: ReduceLROnPlateau needs the metric to monitor, e.g. monitor: val_loss",
                error(OK, "--lr_scheduler=ReduceLROnPlateau"));
        assertEquals("Optimizer.regularizer.name: L1 is not supported: PyTorch's optimizers have no L1 decay (only"
                + " L2, as weight_decay)", error(CliScenarioTest.COMMON + "Optimizer:\n  name: Adam\n"
                        + "  lr: {learning_rate: 0.1}\n  regularizer: {name: L1, factor: 0.1}\n"));
        assertEquals("unrecognized argument 'extra': options are --config FILE, --print_config and dotted keys such"
                + " as --trainer.max_epochs=20", error(OK, "extra"));
    }
}
