package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.logging.PythonFormat;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.LambdaLR;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.MetricsCsv;
import dev.jlightning.testing.Mlp;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.pytorch.global.torch.mse_loss;

/**
 * The metrics.csv JLightning writes for each reference scenario of the Lightning spec, row by row: LearningRateMonitor
 * rows at epoch and batch starts, step rows after stepping batches, validation and epoch rows, the sorted header, CRLF
 * line endings and Python number formatting. Learning-rate, momentum, weight-decay, step and epoch cells are compared
 * exactly; loss cells, which depend on LibTorch numerics, by presence and position ({@code *}).
 */
class MetricsCsvScenariosTest {

    @TempDir
    Path dir;

    private static final String[] LOSSES = {"train_loss", "train_loss_step", "train_loss_epoch", "val_loss"};

    /** Expected rows, written against the header: {@code row("lr-SGD", "0.1", "step", "0")}. */
    private static final class Expected {
        final List<String> header;
        final List<String> rows = new ArrayList<>();

        Expected(String... header) {
            this.header = List.of(header);
        }

        Expected row(String... kv) {
            Map<String, String> cells = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                if (!header.contains(kv[i])) {
                    throw new IllegalArgumentException(kv[i] + " is not in " + header);
                }
                cells.put(kv[i], kv[i + 1]);
            }
            List<String> out = new ArrayList<>();
            for (String h : header) {
                out.add(cells.getOrDefault(h, ""));
            }
            rows.add(String.join(",", out));
            return this;
        }

        /** A step row after a stepping batch: the step's train_loss with the epoch. */
        Expected trainStep(int epoch, long step) {
            return row("epoch", Integer.toString(epoch), "step", Long.toString(step), "train_loss", "*");
        }

        void assertMatches(MetricsCsv csv) {
            assertEquals(header, csv.header());
            List<String> actual = csv.masked(LOSSES);
            for (int i = 0; i < Math.min(rows.size(), actual.size()); i++) {
                assertEquals(rows.get(i), actual.get(i), "row " + (i + 1) + " of\n" + String.join("\n", actual));
            }
            assertEquals(rows.size(), actual.size(), String.join("\n", actual));
        }
    }

    private static String py(double v) {
        return PythonFormat.str(v);
    }

    /** The Mlp of the core tests (train_loss per step, val_loss per epoch) with the given configureOptimizers. */
    private static class Model extends Mlp {
        private final Function<Model, Object> conf;

        Model(Function<Model, Object> conf) {
            super(4, 8, 0.1);
            this.conf = conf;
        }

        SGD sgd() {
            return Optimizers.sgd(lr).params(parameters()).build();
        }

        @Override
        public Object configureOptimizers() {
            return conf.apply(this);
        }
    }

    private TrainerConfig.Builder trainer(LearningRateMonitor monitor) {
        return Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(CSVLogger.of(dir)).callbacks(monitor);
    }

    private static DataLoader batches(int n) {
        return Data.loader(10 * n, 4, 10);
    }

    private MetricsCsv csv() {
        return MetricsCsv.version0(dir);
    }

    // ---------------------------------------------------------------- a: StepLR per epoch

    @Test
    void stepLrPerEpoch() throws Exception {
        Model m = new Model(r -> {
            SGD sgd = r.sgd();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 2, 0.5)));
        });
        m.saveHyperparameters(Map.of("lr", 0.1, "gamma", 0.5, "step_size", 2));
        trainer(new LearningRateMonitor()).maxEpochs(4).logEveryNSteps(1).build().fit(m, batches(5), batches(2));
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss", "val_loss");
        String[] lr = {"0.1", "0.1", "0.05", "0.05"};
        for (int ep = 0; ep < 4; ep++) {
            e.row("lr-SGD", lr[ep], "step", Integer.toString(5 * ep));
            for (int b = 0; b < 5; b++) {
                e.trainStep(ep, 5 * ep + b);
            }
            e.row("epoch", Integer.toString(ep), "step", Integer.toString(5 * ep + 4), "val_loss", "*");
        }
        e.assertMatches(csv());
        assertTrue(csv().text().startsWith("epoch,lr-SGD,step,train_loss,val_loss\r\n,0.1,0,,\r\n0,,0,"));
        assertEquals("gamma: 0.5\nlr: 0.1\nstep_size: 2\n",
                Files.readString(dir.resolve("lightning_logs/version_0/hparams.yaml")));
    }

    // ---------------------------------------------------------------- b: seed 003's warmup + cosine

    /** Seed 003's lr_lambda: linear warmup to the peak, then cosine down to last_lr over num_training_steps. */
    static IntToDoubleFunction warmupCosine(int warmupSteps, int numTrainingSteps, double peakLr, double lastLr) {
        return step -> {
            if (step < warmupSteps) {
                return (double) step / warmupSteps;
            }
            double progress = (double) (step - warmupSteps) / (numTrainingSteps - warmupSteps);
            double cosineDecay = 0.5 * (1 + StrictMath.cos(Math.PI * progress));
            return (lastLr + (peakLr - lastLr) * cosineDecay) / peakLr;
        };
    }

    private Model warmupCosineModel(boolean perStep) {
        return new Model(r -> {
            Adam adam = new Adam(r.parameters(), new AdamOptions(0.001));
            int total = (int) r.trainer().orElseThrow().estimatedSteppingBatches();
            LambdaLR scheduler = new LambdaLR(adam, warmupCosine(5, total, 0.001, 1e-5));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("scheduler", scheduler);
            config.put("name", "custom_scheduler");
            if (perStep) {
                config.put("interval", "step");
                config.put("frequency", 1);
            }
            return Map.of("optimizer", adam, "lr_scheduler", config);
        });
    }

    @Test
    void warmupCosinePerStep() {
        trainer(new LearningRateMonitor()).maxEpochs(3).logEveryNSteps(1).build()
                .fit(warmupCosineModel(true), batches(4));
        // PyTorch's values for lr = 0.001 * lr_lambda(step), 12 steps, warmup 5, last_lr 1e-5 (from Python floats)
        String[] lr = {"0.0", "0.0002", "0.0004", "0.0006", "0.0008", "0.001", "0.0009509795896116975",
            "0.0008136274519200731", "0.0006151478623083758", "0.00039485213769162444", "0.00019637254807992693",
            "5.902041038830258e-05"};
        Expected e = new Expected("custom_scheduler", "epoch", "step", "train_loss");
        for (int s = 0; s < 12; s++) {
            e.row("custom_scheduler", lr[s], "step", Integer.toString(s));
            e.trainStep(s / 4, s);
        }
        e.assertMatches(csv());
    }

    @Test
    void warmupCosineWithoutInterval() {
        trainer(new LearningRateMonitor()).maxEpochs(3).logEveryNSteps(1).build()
                .fit(warmupCosineModel(false), batches(4));
        // without "interval": "step" the schedule moves once per epoch: three epochs never leave the warmup
        Expected e = new Expected("custom_scheduler", "epoch", "step", "train_loss");
        String[] lr = {"0.0", "0.0002", "0.0004"};
        for (int ep = 0; ep < 3; ep++) {
            e.row("custom_scheduler", lr[ep], "step", Integer.toString(4 * ep));
            for (int b = 0; b < 4; b++) {
                e.trainStep(ep, 4 * ep + b);
            }
        }
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- c: frequency

    private static Model stepLrEvery(int frequency) {
        return new Model(r -> {
            SGD sgd = r.sgd();
            return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(new StepLR(sgd, 1, 0.5))
                    .interval(Interval.STEP).frequency(frequency).build());
        });
    }

    private static final String[] HALVINGS = {"0.1", "0.05", "0.025", "0.0125", "0.00625", "0.003125", "0.0015625"};

    @Test
    void stepFrequency3() {
        trainer(new LearningRateMonitor()).maxEpochs(3).logEveryNSteps(1).build().fit(stepLrEvery(3), batches(7));
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        List<Integer> changes = List.of(3, 6, 10, 13, 17, 20);
        int halvings = 0;
        for (int g = 0; g < 21; g++) {
            if (changes.contains(g)) {
                halvings++;
            }
            e.row("lr-SGD", HALVINGS[halvings], "step", Integer.toString(g));
            e.trainStep(g / 7, g);
        }
        e.assertMatches(csv());
    }

    /**
     * Expected rows of a 7-batch epoch with accumulation 2: a monitor row at every batch start (the counter only moves
     * after a stepping batch, so a window repeats its step) and a step row after batches 1, 3, 5 and 6.
     */
    private static void accumulatedEpoch(Expected e, int epoch, String[] lrAtBatchStart, String column,
            String[] extra) {
        int[] counter = {0, 0, 1, 1, 2, 2, 3};
        for (int b = 0; b < 7; b++) {
            String step = Integer.toString(4 * epoch + counter[b]);
            if (extra == null) {
                e.row(column, lrAtBatchStart[b], "step", step);
            } else {
                e.row(column, lrAtBatchStart[b], extra[0], extra[b + 1], "step", step);
            }
            if (b % 2 == 1 || b == 6) {
                e.trainStep(epoch, 4 * epoch + counter[b]);
            }
        }
    }

    @Test
    void stepFrequency2WithAccumulation2() {
        trainer(new LearningRateMonitor()).maxEpochs(2).accumulateGradBatches(2).logEveryNSteps(1).build()
                .fit(stepLrEvery(2), batches(7));
        // the scheduler steps after batches 1, 3 and 5, not after the partial window's batch 6
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        accumulatedEpoch(e, 0, new String[] {"0.1", "0.1", "0.05", "0.05", "0.025", "0.025", "0.0125"}, "lr-SGD",
                null);
        accumulatedEpoch(e, 1, new String[] {"0.0125", "0.0125", "0.00625", "0.00625", "0.003125", "0.003125",
            "0.0015625"}, "lr-SGD", null);
        e.assertMatches(csv());
    }

    @Test
    void stepFrequency3WithAccumulation2() {
        trainer(new LearningRateMonitor()).maxEpochs(2).accumulateGradBatches(2).logEveryNSteps(1).build()
                .fit(stepLrEvery(3), batches(7));
        // only batch 5 is both stepping and a multiple of 3
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        accumulatedEpoch(e, 0, new String[] {"0.1", "0.1", "0.1", "0.1", "0.1", "0.1", "0.05"}, "lr-SGD", null);
        accumulatedEpoch(e, 1, new String[] {"0.05", "0.05", "0.05", "0.05", "0.05", "0.05", "0.025"}, "lr-SGD", null);
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- d: plateau on val_loss

    /** A model whose validation loss follows a fixed sequence per epoch, so plateau decisions are known. */
    private static Model plateauModel(Map<Integer, Double> valLossByEpoch, String monitor, boolean strict) {
        return new Model(r -> {
            SGD sgd = r.sgd();
            ReduceLROnPlateau p = ReduceLROnPlateau.builder(sgd).patience(0).factor(0.5).build();
            return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", p, "monitor", monitor,
                    "strict", strict));
        }) {
            @Override
            public void validationStep(Batch batch, int batchIdx) {
                Trainer t = trainer().orElseThrow();
                log("val_loss", t.sanityChecking() ? 9.0 : valLossByEpoch.get(t.currentEpoch()));
            }
        };
    }

    @Test
    void plateauOnValLossStrict() {
        Model m = plateauModel(Map.of(0, 1.0, 1, 0.8, 2, 0.9, 3, 0.85), "val_loss", true);
        trainer(new LearningRateMonitor()).maxEpochs(4).logEveryNSteps(1).build().fit(m, batches(3), batches(2));
        // 0.8 improves on 1.0; 0.9 and 0.85 do not (patience 0): halved after epochs 2 and 3
        String[] lr = {"0.1", "0.1", "0.1", "0.05"};
        String[] val = {"1.0", "0.800000011920929", "0.8999999761581421", "0.8500000238418579"};
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss", "val_loss");
        for (int ep = 0; ep < 4; ep++) {
            e.row("lr-SGD", lr[ep], "step", Integer.toString(3 * ep));
            for (int b = 0; b < 3; b++) {
                e.trainStep(ep, 3 * ep + b);
            }
            e.row("epoch", Integer.toString(ep), "step", Integer.toString(3 * ep + 2), "val_loss", val[ep]);
        }
        // val_loss cells are exact here: the float32 of the logged number, as Lightning writes it
        assertEquals(e.header, csv().header());
        assertEquals(e.rows, csv().masked("train_loss"));
        assertEquals(0.025, ParamGroups.of(m.trainer().orElseThrow().optimizers().get(0)).lr(0));
    }

    @Test
    void plateauNonStrictMissingMetric() {
        Model m = plateauModel(Map.of(0, 1.0, 1, 0.8, 2, 0.9), "val_acc", false);
        try (LogCapture log = LogCapture.capture()) {
            trainer(new LearningRateMonitor()).maxEpochs(3).logEveryNSteps(1).build().fit(m, batches(3), batches(2));
            assertEquals(3, log.matching("ReduceLROnPlateau conditioned on metric val_acc which is not available but"
                    + " strict is set to `False`. Skipping learning rate update.").size());
        }
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss", "val_loss");
        for (int ep = 0; ep < 3; ep++) {
            e.row("lr-SGD", "0.1", "step", Integer.toString(3 * ep));
            for (int b = 0; b < 3; b++) {
                e.trainStep(ep, 3 * ep + b);
            }
            e.row("epoch", Integer.toString(ep), "step", Integer.toString(3 * ep + 2), "val_loss", "*");
        }
        e.assertMatches(csv());
    }

    @Test
    void plateauValidationEverySecondEpochNonStrict() {
        Model m = plateauModel(Map.of(1, 1.0, 3, 0.9, 5, 0.8), "val_loss", false);
        try (LogCapture log = LogCapture.capture()) {
            trainer(new LearningRateMonitor()).maxEpochs(6).checkValEveryNEpoch(2).logEveryNSteps(1).build()
                    .fit(m, batches(2), batches(2));
            assertEquals(1, log.matching("'val_loss'").size(), log.warnings().toString());
        }
        // epoch 0: no value yet (skipped); epochs 2 and 4 re-feed the previous value, a bad epoch with patience 0
        String[] lr = {"0.1", "0.1", "0.1", "0.05", "0.05", "0.025"};
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss", "val_loss");
        for (int ep = 0; ep < 6; ep++) {
            e.row("lr-SGD", lr[ep], "step", Integer.toString(2 * ep));
            e.trainStep(ep, 2 * ep);
            e.trainStep(ep, 2 * ep + 1);
            if (ep % 2 == 1) {
                e.row("epoch", Integer.toString(ep), "step", Integer.toString(2 * ep + 1), "val_loss", "*");
            }
        }
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- e: param groups, momentum, weight decay

    private static List<Tensor> params(org.bytedeco.pytorch.Module module) {
        List<Tensor> out = new ArrayList<>();
        try (TensorVector v = module.parameters()) {
            for (long i = 0; i < v.size(); i++) {
                out.add(new Tensor(v.get(i)));
            }
        }
        return out;
    }

    @Test
    void twoParamGroupsWithMomentumAndWeightDecay() {
        Model m = new Model(r -> {
            SGD sgd = Optimizers.sgd(0.1).group(params(r.fc1), g -> g.momentum(0.9).weightDecay(1e-4))
                    .group(params(r.fc2), g -> { }).build();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        });
        trainer(LearningRateMonitor.builder().logMomentum(true).logWeightDecay(true).build()).maxEpochs(3)
                .logEveryNSteps(1).build().fit(m, batches(3));
        Expected e = new Expected("epoch", "lr-SGD/pg1", "lr-SGD/pg1-momentum", "lr-SGD/pg1-weight_decay",
                "lr-SGD/pg2", "lr-SGD/pg2-momentum", "lr-SGD/pg2-weight_decay", "step", "train_loss");
        for (int ep = 0; ep < 3; ep++) {
            // PyTorch's default momentum and weight_decay are the int 0
            e.row("lr-SGD/pg1", HALVINGS[ep], "lr-SGD/pg1-momentum", "0.9", "lr-SGD/pg1-weight_decay", "0.0001",
                    "lr-SGD/pg2", HALVINGS[ep], "lr-SGD/pg2-momentum", "0", "lr-SGD/pg2-weight_decay", "0",
                    "step", Integer.toString(3 * ep));
            for (int b = 0; b < 3; b++) {
                e.trainStep(ep, 3 * ep + b);
            }
        }
        e.assertMatches(csv());
    }

    @Test
    void namedParamGroups() {
        Model m = new Model(r -> {
            List<Tensor> all = params(r);
            SGD sgd = Optimizers.sgd(0.1).group("weights", List.of(all.get(0), all.get(2)))
                    .group("bias", List.of(all.get(1), all.get(3)), g -> g.lr(0.2)).build();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        });
        trainer(new LearningRateMonitor()).maxEpochs(2).logEveryNSteps(1).build().fit(m, batches(2));
        Expected e = new Expected("epoch", "lr-SGD/bias", "lr-SGD/weights", "step", "train_loss");
        e.row("lr-SGD/bias", "0.2", "lr-SGD/weights", "0.1", "step", "0").trainStep(0, 0).trainStep(0, 1);
        e.row("lr-SGD/bias", "0.1", "lr-SGD/weights", "0.05", "step", "2").trainStep(1, 2).trainStep(1, 3);
        e.assertMatches(csv());
    }

    @Test
    void singleNamedGroup() {
        Model m = new Model(r -> {
            Adam adam = Optimizers.adam(0.01).betas(0.8, 0.999).group("all", r.parameters()).build();
            return List.of(List.of(adam), List.of(new StepLR(adam, 1, 0.5)));
        });
        trainer(LearningRateMonitor.builder().logMomentum(true).build()).maxEpochs(2).logEveryNSteps(1).build()
                .fit(m, batches(2));
        // one group gets the suffix only when it has a name; Adam's momentum is betas[0]
        Expected e = new Expected("epoch", "lr-Adam/all", "lr-Adam/all-momentum", "step", "train_loss");
        e.row("lr-Adam/all", "0.01", "lr-Adam/all-momentum", "0.8", "step", "0").trainStep(0, 0).trainStep(0, 1);
        e.row("lr-Adam/all", "0.005", "lr-Adam/all-momentum", "0.8", "step", "2").trainStep(1, 2).trainStep(1, 3);
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- f, g: several optimizers and custom names

    /** Manual optimization over several Adams, each stepped every batch, schedulers stepped at epoch end. */
    private static Model manualAdams(Function<List<Adam>, List<Object>> schedulers, int count) {
        return new Model(r -> {
            List<Adam> adams = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                adams.add(new Adam(r.parameters(), new AdamOptions(0.01)));
            }
            return List.of(List.copyOf(adams), schedulers.apply(adams));
        }) {
            {
                automaticOptimization(false);
            }

            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                for (LightningOptimizer opt : optimizers()) {
                    opt.zeroGrad();
                    Tensor loss = mse_loss(forward(batch.x()), batch.y());
                    manualBackward(loss);
                    opt.step();
                    log("train_loss", loss);
                }
                return null;
            }

            @Override
            public void onTrainEpochEnd() {
                lrSchedulers().forEach(LRScheduler::step);
            }
        };
    }

    @Test
    void twoOptimizersOfTheSameClass() {
        Model m = manualAdams(a -> List.of(new StepLR(a.get(0), 1, 0.1), new StepLR(a.get(1), 1, 0.1)), 2);
        Trainer t = trainer(new LearningRateMonitor()).maxEpochs(2).logEveryNSteps(1).build();
        t.fit(m, batches(3));
        Expected e = new Expected("epoch", "lr-Adam", "lr-Adam-1", "step", "train_loss");
        e.row("lr-Adam", "0.01", "lr-Adam-1", "0.01", "step", "0").trainStep(0, 0).trainStep(0, 1).trainStep(0, 2);
        e.row("lr-Adam", "0.001", "lr-Adam-1", "0.001", "step", "3").trainStep(1, 3).trainStep(1, 4).trainStep(1, 5);
        e.assertMatches(csv());
        // manual optimization: the global step counts both optimizers, the logger step counts batches
        assertEquals(12, t.globalStep());
        assertEquals(6, t.loggerStep());
    }

    @Test
    void customNameAfterDuplicates() {
        Model m = manualAdams(a -> List.of(new StepLR(a.get(0), 1, 0.1), new StepLR(a.get(1), 1, 0.1),
                Map.of("scheduler", new StepLR(a.get(2), 1, 0.5), "name", "custom")), 3);
        trainer(new LearningRateMonitor()).maxEpochs(2).logEveryNSteps(1).build().fit(m, batches(2));
        // two unnamed Adams count 2; the named one does not count but is suffixed from the count: custom-1
        Expected e = new Expected("custom-1", "epoch", "lr-Adam", "lr-Adam-1", "step", "train_loss");
        e.row("lr-Adam", "0.01", "lr-Adam-1", "0.01", "custom-1", "0.01", "step", "0").trainStep(0, 0)
                .trainStep(0, 1);
        e.row("lr-Adam", "0.001", "lr-Adam-1", "0.001", "custom-1", "0.005", "step", "2").trainStep(1, 2)
                .trainStep(1, 3);
        e.assertMatches(csv());
    }

    @Test
    void customNameWithTwoParamGroups() {
        Model m = new Model(r -> {
            SGD sgd = Optimizers.sgd(0.1).params(params(r.fc1)).params(params(r.fc2)).build();
            return List.of(List.of(sgd), List.of(Map.of("scheduler", new StepLR(sgd, 1, 0.5), "name",
                    "custom_scheduler")));
        });
        trainer(new LearningRateMonitor()).maxEpochs(2).logEveryNSteps(1).build().fit(m, batches(2));
        Expected e = new Expected("custom_scheduler/pg1", "custom_scheduler/pg2", "epoch", "step", "train_loss");
        e.row("custom_scheduler/pg1", "0.1", "custom_scheduler/pg2", "0.1", "step", "0").trainStep(0, 0)
                .trainStep(0, 1);
        e.row("custom_scheduler/pg1", "0.05", "custom_scheduler/pg2", "0.05", "step", "2").trainStep(1, 2)
                .trainStep(1, 3);
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- h: OneCycleLR with accumulation

    @Test
    void oneCycleLrWithAccumulation() {
        Model m = new Model(r -> {
            SGD sgd = Optimizers.sgd(0.1).momentum(0.9).params(r.parameters()).build();
            int total = (int) r.trainer().orElseThrow().estimatedSteppingBatches();
            OneCycleLR one = OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(total).build();
            return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(one).interval(Interval.STEP).build());
        });
        Trainer t = trainer(LearningRateMonitor.builder().logMomentum(true).build()).maxEpochs(3)
                .accumulateGradBatches(2).logEveryNSteps(1).build();
        t.fit(m, batches(7));

        // the values PyTorch's OneCycleLR takes after n steps, from a reference run of the same schedule
        SGD ref = Optimizers.sgd(0.1).momentum(0.9).params(new Mlp(4, 8, 0.1).parameters()).build();
        OneCycleLR refSched = OneCycleLR.builder(ref).maxLr(0.1).totalSteps(12).build();
        List<String> lrAfter = new ArrayList<>();
        List<String> momentumAfter = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            lrAfter.add(py(ParamGroups.of(ref).lr(0)));
            momentumAfter.add(py(ParamGroups.of(ref).momentum(0).getAsDouble()));
            refSched.step();
        }
        int[] counter = {0, 0, 1, 1, 2, 2, 3};
        Expected e = new Expected("epoch", "lr-SGD", "lr-SGD-momentum", "step", "train_loss");
        for (int ep = 0; ep < 3; ep++) {
            for (int b = 0; b < 7; b++) {
                int n = 4 * ep + counter[b];
                e.row("lr-SGD", lrAfter.get(n), "lr-SGD-momentum", momentumAfter.get(n), "step", Integer.toString(n));
                if (b % 2 == 1 || b == 6) {
                    e.trainStep(ep, n);
                }
            }
        }
        e.assertMatches(csv());
        // the partial last window steps the optimizer and the scheduler: 12 steps end exactly at total_steps
        OneCycleLR used = (OneCycleLR) t.lrSchedulers().get(0);
        assertEquals(12, used.lastEpoch());
        assertEquals(12, t.globalStep());
    }

    // ---------------------------------------------------------------- i: maxSteps mid-epoch

    @Test
    void maxStepsMidEpochWithEpochScheduler() {
        Model m = new Model(r -> {
            SGD sgd = r.sgd();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        }) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = mse_loss(forward(batch.x()), batch.y());
                log("train_loss", loss, LogOptions.builder().onStep(true).onEpoch(true).build());
                return loss;
            }
        };
        Trainer t = trainer(new LearningRateMonitor()).maxSteps(7).logEveryNSteps(1).build();
        t.fit(m, batches(5), batches(2));
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss_epoch", "train_loss_step", "val_loss");
        e.row("lr-SGD", "0.1", "step", "0");
        for (int b = 0; b < 5; b++) {
            e.row("epoch", "0", "step", Integer.toString(b), "train_loss_step", "*");
        }
        e.row("epoch", "0", "step", "4", "val_loss", "*");
        e.row("epoch", "0", "step", "4", "train_loss_epoch", "*");
        e.row("lr-SGD", "0.05", "step", "5");
        e.row("epoch", "1", "step", "5", "train_loss_step", "*");
        e.row("epoch", "1", "step", "6", "train_loss_step", "*");
        // the partial epoch: no validation, no scheduler step, but its epoch row and the epoch counter still come
        e.row("epoch", "1", "step", "6", "train_loss_epoch", "*");
        e.assertMatches(csv());
        assertEquals(2, t.currentEpoch());
        assertEquals(0.05, ParamGroups.of(t.optimizers().get(0)).lr(0));
    }

    @Test
    void maxStepsWithStepScheduler() {
        Model m = stepLrEvery(1);
        Trainer t = trainer(new LearningRateMonitor()).maxSteps(7).logEveryNSteps(1).build();
        t.fit(m, batches(5));
        assertEquals(7, t.lrSchedulers().get(0).lastEpoch());
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        for (int g = 0; g < 7; g++) {
            e.row("lr-SGD", HALVINGS[g], "step", Integer.toString(g));
            e.trainStep(g / 5, g);
        }
        e.assertMatches(csv());
    }

    // ---------------------------------------------------------------- k: logging intervals

    @Test
    void logEveryNStepsDefault() {
        Model m = new Model(r -> {
            SGD sgd = r.sgd();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        });
        trainer(new LearningRateMonitor()).maxEpochs(4).build().fit(m, batches(30));
        // epoch-start rows whatever log_every_n_steps is; step rows at steps 49 and 99 only
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        e.row("lr-SGD", "0.1", "step", "0");
        e.row("lr-SGD", "0.05", "step", "30");
        e.trainStep(1, 49);
        e.row("lr-SGD", "0.025", "step", "60");
        e.row("lr-SGD", "0.0125", "step", "90");
        e.trainStep(3, 99);
        e.assertMatches(csv());
    }

    @Test
    void loggingIntervalStepWithAnEpochScheduler() {
        Model m = new Model(r -> {
            SGD sgd = r.sgd();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        });
        trainer(LearningRateMonitor.builder().loggingInterval("step").build()).maxEpochs(2).logEveryNSteps(2).build()
                .fit(m, batches(3));
        // every config at the batch starts that pass the gate ((counter + 1) % 2 == 0), none at epoch starts
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        e.row("lr-SGD", "0.1", "step", "1").trainStep(0, 1);
        e.row("lr-SGD", "0.05", "step", "3").trainStep(1, 3);
        e.row("lr-SGD", "0.05", "step", "5").trainStep(1, 5);
        e.assertMatches(csv());
    }

    @Test
    void loggingIntervalEpochWithAStepScheduler() {
        trainer(LearningRateMonitor.builder().loggingInterval("epoch").build()).maxEpochs(2).logEveryNSteps(1)
                .build().fit(stepLrEvery(1), batches(3));
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        e.row("lr-SGD", "0.1", "step", "0").trainStep(0, 0).trainStep(0, 1).trainStep(0, 2);
        e.row("lr-SGD", "0.0125", "step", "3").trainStep(1, 3).trainStep(1, 4).trainStep(1, 5);
        e.assertMatches(csv());
    }

    @Test
    void noSchedulerDoubleRows() {
        Model m = new Model(Model::sgd);
        trainer(new LearningRateMonitor()).maxEpochs(2).logEveryNSteps(1).build().fit(m, batches(3));
        // an optimizer without scheduler is logged at the epoch start and again at the first batch start
        Expected e = new Expected("epoch", "lr-SGD", "step", "train_loss");
        for (int ep = 0; ep < 2; ep++) {
            e.row("lr-SGD", "0.1", "step", Integer.toString(3 * ep));
            for (int b = 0; b < 3; b++) {
                e.row("lr-SGD", "0.1", "step", Integer.toString(3 * ep + b));
                e.trainStep(ep, 3 * ep + b);
            }
        }
        e.assertMatches(csv());
    }

    @Test
    void everyFileEndsLinesWithCrlfAndFormatsNumbersAsPython() throws Exception {
        warmupCosinePerStep();
        String text = Files.readString(dir.resolve("lightning_logs/version_0/metrics.csv"));
        assertTrue(text.contains("\r\n5.902041038830258e-05,,11,\r\n"), text);
        assertEquals(0, Arrays.stream(text.split("\r\n")).filter(l -> l.contains("\n") || l.contains("E-")).count());
    }
}
