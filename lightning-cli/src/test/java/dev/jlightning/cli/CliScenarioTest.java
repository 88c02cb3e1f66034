package dev.jlightning.cli;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.core.LightningModule;
import dev.jlightning.optim.CosineAnnealingDecay;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.LambdaLR;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LinearWarmup;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each scheduling scenario of the seeds, once as a YAML config run through the CLI and once as the equivalent Java
 * program: the two metrics.csv files are identical byte for byte.
 */
class CliScenarioTest {
    static final int EPOCHS = 6;
    static final int BATCHES_PER_EPOCH = 8; // 256 samples, batch 32

    static final String COMMON = "seed_everything: 42\n"
            + "trainer:\n"
            + "  max_epochs: 6\n"
            + "  log_every_n_steps: 1\n"
            + "  enable_progress_bar: false\n"
            + "  enable_model_summary: false\n"
            + "  callbacks:\n"
            + "    - class_path: LearningRateMonitor\n"
            + "model:\n"
            + "  class_path: dev.jlightning.cli.RegressionModel\n"
            + "data:\n"
            + "  class_path: dev.jlightning.cli.RegressionData\n"
            + "  init_args: {samples: 256, features: 4, batch_size: 32}\n";

    @TempDir
    Path tmp;

    /** The CLI's metrics.csv for {@code yaml}, the run rooted at {@code root}. */
    static Path cli(Path tmp, String yaml, String root, String... extra) throws IOException {
        Path file = tmp.resolve(root + ".yaml");
        Files.writeString(file, yaml);
        String[] args = new String[4 + extra.length];
        args[0] = "fit";
        args[1] = "--config";
        args[2] = file.toString();
        args[3] = "--trainer.default_root_dir=" + tmp.resolve(root);
        System.arraycopy(extra, 0, args, 4, extra.length);
        LightningCLI.Result r = LightningCLI.builder().build().run(args);
        Path csv = r.trainer().orElseThrow().logDir().resolve("metrics.csv");
        r.model().orElseThrow().close();
        return csv;
    }

    /** The Java program: the same seed, data, model and Trainer options, the optimizers written out in Java. */
    static Path java(Path tmp, Supplier<LightningModule> model) {
        Trainer.seedEverything(42);
        RegressionData data = new RegressionData(256, 4, 32);
        LightningModule m = model.get();
        Trainer trainer = Trainer.builder().maxEpochs(EPOCHS).logEveryNSteps(1).enableProgressBar(false)
                .enableModelSummary(false).callbacks(new LearningRateMonitor()).defaultRootDir(tmp.resolve("java"))
                .build();
        trainer.fit(m, data);
        m.close();
        return trainer.logDir().resolve("metrics.csv");
    }

    static void assertSameCsv(Path expected, Path actual, String lrColumn) throws IOException {
        String e = Files.readString(expected);
        assertTrue(e.lines().findFirst().orElseThrow().contains(lrColumn), e.lines().findFirst().orElseThrow());
        assertEquals(e, Files.readString(actual));
    }

    @Test
    void stepLrPerEpochMatchesTheJavaProgram() throws IOException {
        Path cli = cli(tmp, COMMON + "optimizer:\n  class_path: torch.optim.SGD\n  init_args: {lr: 0.1}\n"
                + "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n"
                + "  init_args: {step_size: 2, gamma: 0.5}\n", "cli");
        Path java = java(tmp, () -> new RegressionModel(RegressionModel.Config.defaults()) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                return OptimizerConfig.of(sgd, new StepLR(sgd, 2, 0.5));
            }
        });
        assertSameCsv(java, cli, "lr-SGD");
        assertTrue(Files.readString(cli).contains("0.025"), "the lr halves every 2 epochs");
    }

    @Test
    void warmupCosineLambdaPerStepMatchesTheJavaProgram() throws IOException {
        int total = EPOCHS * BATCHES_PER_EPOCH;
        // the tutorial's lr_lambda as a formula: min() picks the warm-up ramp before step 10, the cosine after
        String formula = "min(epoch / 10, (1e-05 + (0.001 - 1e-05) * (0.5 * (1 + cos(pi * ((epoch - 10) / "
                + (total - 10) + "))))) / 0.001)";
        Path cli = cli(tmp, COMMON + "optimizer:\n  class_path: Adam\n  init_args: {lr: 0.001, weight_decay: 0.01}\n"
                + "lr_scheduler:\n  class_path: LambdaLR\n  init_args:\n    lr_lambda: \"" + formula + "\"\n"
                + "  interval: step\n  frequency: 1\n  name: custom_scheduler\n", "cli");
        Path java = java(tmp, () -> new RegressionModel(RegressionModel.Config.defaults()) {
            @Override
            public Object configureOptimizers() {
                Adam adam = Optimizers.adam(1e-3).weightDecay(1e-2).params(parameters()).build();
                LambdaLR s = new LambdaLR(adam, step -> {
                    if (step < 10) {
                        return (double) step / 10;
                    }
                    double progress = (double) (step - 10) / (total - 10);
                    double cosineDecay = 0.5 * (1 + Math.cos(Math.PI * progress));
                    return (1e-5 + (1e-3 - 1e-5) * cosineDecay) / 1e-3;
                });
                Map<String, Object> lrScheduler = new LinkedHashMap<>();
                lrScheduler.put("scheduler", s);
                lrScheduler.put("name", "custom_scheduler");
                lrScheduler.put("interval", "step");
                lrScheduler.put("frequency", 1);
                return Map.of("optimizer", adam, "lr_scheduler", lrScheduler);
            }
        });
        assertSameCsv(java, cli, "custom_scheduler");
    }

    @Test
    void reduceLrOnPlateauOnValLossMatchesTheJavaProgram() throws IOException {
        Path cli = cli(tmp, COMMON + "optimizer:\n  class_path: SGD\n  init_args: {lr: 0.5}\n"
                + "lr_scheduler:\n  class_path: ReduceLROnPlateau\n  init_args: {mode: min, factor: 0.5, patience: 0,"
                + " threshold: 0.5}\n  monitor: val_loss\n", "cli");
        Path java = java(tmp, () -> new RegressionModel(RegressionModel.Config.defaults()) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.5));
                ReduceLROnPlateau s = ReduceLROnPlateau.builder(sgd).mode("min").factor(0.5).patience(0)
                        .threshold(0.5).build();
                return OptimizerConfig.builder(sgd).scheduler(LRSchedulerConfig.builder(s).monitor("val_loss")
                        .build()).build();
            }
        });
        assertSameCsv(java, cli, "lr-SGD");
        assertTrue(Files.readString(cli).contains("0.25"), "the plateau halved the lr at least once");
    }

    @Test
    void paddleLinearWarmupOverCosineAnnealingDecayMatchesTheJavaProgram() throws IOException {
        Path cli = cli(tmp, COMMON + "optimizer:\n  class_path: SGD\n  init_args: {lr: 0.1}\n"
                + "lr_scheduler:\n  class_path: paddle.optimizer.lr.LinearWarmup\n  init_args:\n"
                + "    learning_rate: {name: CosineAnnealingDecay, learning_rate: 0.1, T_max: 40}\n"
                + "    warmup_steps: 5\n    start_lr: 0.0\n    end_lr: 0.1\n  interval: step\n", "cli");
        Path java = java(tmp, () -> new RegressionModel(RegressionModel.Config.defaults()) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                LinearWarmup s = new LinearWarmup(sgd, new CosineAnnealingDecay(sgd, 0.1, 40), 5, 0.0, 0.1);
                return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(s).interval(Interval.STEP).build());
            }
        });
        assertSameCsv(java, cli, "lr-SGD");
    }

    @Test
    void paddleOcrOptimizerBlockMatchesTheJavaProgram() throws IOException {
        Path cli = cli(tmp, COMMON + "Optimizer:\n  name: Adam\n  beta1: 0.9\n  beta2: 0.999\n"
                + "  lr:\n    name: Cosine\n    learning_rate: 0.001\n    warmup_epoch: 2\n"
                + "  regularizer:\n    name: L2\n    factor: 1e-5\n", "cli");
        Path java = java(tmp, () -> new RegressionModel(RegressionModel.Config.defaults()) {
            @Override
            public Object configureOptimizers() {
                Adam adam = Optimizers.adam(0.001).weightDecay(1e-5).params(parameters()).build();
                // PaddleOCR's Cosine: T_max = epochs * steps per epoch; warmup_epoch 2 -> 16 steps from 0 to lr
                LinearWarmup s = new LinearWarmup(adam,
                        new CosineAnnealingDecay(adam, 0.001, EPOCHS * BATCHES_PER_EPOCH),
                        2 * BATCHES_PER_EPOCH, 0.0, 0.001);
                return OptimizerConfig.of(adam, LRSchedulerConfig.builder(s).interval(Interval.STEP).build());
            }
        });
        assertSameCsv(java, cli, "lr-Adam");
    }
}
