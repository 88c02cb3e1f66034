package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import dev.jlightning.testing.Spies.CountingPlateau;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the Trainer steps schedulers, rule by rule as Lightning does it (stepping points, frequency counted in batches
 * within the epoch, accumulation, plateau monitors, maxSteps), with the counts worked out from Lightning's rules.
 */
class SchedulerSteppingTest {

    @TempDir
    Path dir;

    /** 7 batches of 10 samples per epoch. */
    private static DataLoader sevenBatches() {
        return Data.loader(70, 4, 10);
    }

    private TrainerConfig.Builder trainer() {
        return Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false).numSanityValSteps(0);
    }

    /** An Mlp whose configureOptimizers is given, and which records the global step at every scheduler step. */
    private static class Recording extends Mlp {
        final List<Long> stepsAt = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        private final Function<Recording, Object> conf;

        Recording(Function<Recording, Object> conf) {
            super(4, 8, 0.1);
            this.conf = conf;
        }

        SGD sgd() {
            return new SGD(parameters(), new SGDOptions(lr));
        }

        @Override
        public Object configureOptimizers() {
            return conf.apply(this);
        }

        @Override
        public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
            Trainer t = trainer().orElseThrow();
            stepsAt.add(t.globalStep());
            calls.add("epoch " + t.currentEpoch() + " batch " + t.batchIdx()
                    + (metric.isPresent() ? " metric " + metric.getAsDouble() : ""));
            super.lrSchedulerStep(scheduler, metric);
        }
    }

    private static Object stepScheduler(Recording m, int frequency) {
        SGD sgd = m.sgd();
        return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(new StepLR(sgd, 1, 0.5)).interval(Interval.STEP)
                .frequency(frequency).build());
    }

    @Test
    void stepFrequencyCountsBatchesWithinTheEpoch() {
        Recording m = new Recording(r -> stepScheduler(r, 3));
        trainer().maxEpochs(3).build().fit(m, sevenBatches());
        // after batch_idx 2 and 5 of each epoch; the 7th batch's count is lost when the epoch ends
        assertEquals(List.of(3L, 6L, 10L, 13L, 17L, 20L), m.stepsAt);
    }

    @Test
    void stepFrequencyTwoWithAccumulationTwoStepsThreeOfFourOptimizerSteps() {
        Recording m = new Recording(r -> stepScheduler(r, 2));
        Trainer t = trainer().maxEpochs(2).accumulateGradBatches(2).build();
        t.fit(m, sevenBatches());
        // stepping batches 1, 3, 5 and the partial window's 6; (6 + 1) % 2 != 0, so that one is skipped
        assertEquals(8, t.globalStep());
        assertEquals(List.of("epoch 0 batch 1", "epoch 0 batch 3", "epoch 0 batch 5", "epoch 1 batch 1",
                "epoch 1 batch 3", "epoch 1 batch 5"), m.calls);
        assertEquals(List.of(1L, 2L, 3L, 5L, 6L, 7L), m.stepsAt);
    }

    @Test
    void stepFrequencyThreeWithAccumulationTwoStepsOneOfFourOptimizerSteps() {
        Recording m = new Recording(r -> stepScheduler(r, 3));
        Trainer t = trainer().maxEpochs(2).accumulateGradBatches(2).build();
        t.fit(m, sevenBatches());
        // (batch_idx + 1) % 3 == 0 at 2 and 5, but batch 2 accumulates: only batch 5 steps
        assertEquals(List.of("epoch 0 batch 5", "epoch 1 batch 5"), m.calls);
        assertEquals(List.of(3L, 7L), m.stepsAt);
    }

    @Test
    void stepIntervalWithoutFrequencyStepsOncePerOptimizerStepIncludingThePartialWindow() {
        Recording m = new Recording(r -> stepScheduler(r, 1));
        Trainer t = trainer().maxEpochs(2).accumulateGradBatches(3).build();
        t.fit(m, sevenBatches());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), m.stepsAt);
        assertEquals(List.of("epoch 0 batch 2", "epoch 0 batch 5", "epoch 0 batch 6", "epoch 1 batch 2",
                "epoch 1 batch 5", "epoch 1 batch 6"), m.calls);
    }

    @Test
    void epochFrequencyStepsAtTheEndOfEveryNthEpoch() {
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", new StepLR(sgd, 1, 0.5),
                    "frequency", 2));
        });
        Trainer t = trainer().maxEpochs(5).build();
        t.fit(m, sevenBatches());
        assertEquals(List.of("epoch 1 batch 6", "epoch 3 batch 6"), m.calls);
        assertEquals(0.1 * 0.5 * 0.5, ParamGroups.of(t.optimizers().get(0)).lr(0));
    }

    @Test
    void epochSchedulerStepsOnTheLastBatchBeforeValidationAndEpochEnd() {
        double[] lrAtValidation = new double[2];
        double[] lrAtEpochEnd = new double[2];
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
        }) {
            @Override
            public void onValidationEnd() {
                Trainer t = trainer().orElseThrow();
                lrAtValidation[t.currentEpoch()] = ParamGroups.of(t.optimizers().get(0)).lr(0);
            }

            @Override
            public void onTrainEpochEnd() {
                Trainer t = trainer().orElseThrow();
                lrAtEpochEnd[t.currentEpoch()] = ParamGroups.of(t.optimizers().get(0)).lr(0);
            }
        };
        trainer().maxEpochs(2).build().fit(m, sevenBatches(), Data.loader(20, 4, 10));
        // validation and on_train_epoch_end of epoch N already see the lr of epoch N + 1
        assertEquals(0.05, lrAtValidation[0]);
        assertEquals(0.05, lrAtEpochEnd[0]);
        assertEquals(0.025, lrAtValidation[1]);
    }

    private static Object plateau(Recording r, String monitor, boolean strict, ReduceLROnPlateau[] holder) {
        SGD sgd = r.sgd();
        holder[0] = ReduceLROnPlateau.builder(sgd).patience(0).factor(0.5).build();
        return Map.of("optimizer", sgd, "lr_scheduler",
                Map.of("scheduler", holder[0], "monitor", monitor, "strict", strict));
    }

    @Test
    void plateauOnValLossIsFedTheValidationMeanAfterTrainEpochEnd() {
        ReduceLROnPlateau[] p = new ReduceLROnPlateau[1];
        List<Double> valLoss = new ArrayList<>();
        Recording m = new Recording(r -> plateau(r, "val_loss", true, p)) {
            @Override
            public void onTrainEpochEnd() {
                // after on_train_epoch_end and after validation: the value fed is this epoch's validation mean
                valLoss.add(trainer().orElseThrow().callbackMetrics().get("val_loss"));
            }
        };
        trainer().maxEpochs(3).build().fit(m, sevenBatches(), Data.loader(20, 4, 10));
        assertEquals(3, m.calls.size());
        for (int e = 0; e < 3; e++) {
            assertEquals("epoch " + e + " batch 6 metric " + valLoss.get(e), m.calls.get(e));
        }
        assertEquals(3, p[0].lastEpoch());
    }

    @Test
    void plateauStrictMissingMetricFailsAtTheFirstEpochEndListingAvailableMetrics() {
        ReduceLROnPlateau[] p = new ReduceLROnPlateau[1];
        Recording m = new Recording(r -> plateau(r, "val_acc", true, p));
        Trainer t = trainer().maxEpochs(3).build();
        var e = assertThrows(MisconfigurationException.class, () -> t.fit(m, sevenBatches()));
        assertEquals("ReduceLROnPlateau conditioned on metric val_acc which is not available. Available metrics are:"
                + " ['train_loss']. Condition can be set using `monitor` key in lr scheduler dict", e.getMessage());
        assertEquals(7, t.globalStep());
    }

    @Test
    void plateauNonStrictMissingMetricWarnsAndSkips() {
        ReduceLROnPlateau[] p = new ReduceLROnPlateau[1];
        Recording m = new Recording(r -> plateau(r, "val_acc", false, p));
        try (LogCapture log = LogCapture.capture()) {
            trainer().maxEpochs(2).build().fit(m, sevenBatches());
            assertEquals(2, log.matching("ReduceLROnPlateau conditioned on metric val_acc which is not available but"
                    + " strict is set to `False`. Skipping learning rate update.").size(), log.warnings().toString());
        }
        assertEquals(List.of(), m.calls);
        assertEquals(0, p[0].lastEpoch());
    }

    /** Not in Lightning: a value fed again without having been updated warns once, naming the metric. */
    @Test
    void plateauFedAStaleValueWarnsOnceNamingTheMetric() {
        CountingPlateau[] p = new CountingPlateau[1];
        List<Double> valLoss = new ArrayList<>();
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            p[0] = new CountingPlateau(sgd);
            return List.of(List.of(sgd), List.of(Map.of("scheduler", p[0], "monitor", "val_loss", "strict", false)));
        }) {
            @Override
            public void onValidationEnd() {
                valLoss.add(trainer().orElseThrow().callbackMetrics().get("val_loss"));
            }
        };
        try (LogCapture log = LogCapture.capture()) {
            trainer().maxEpochs(6).checkValEveryNEpoch(2).build().fit(m, sevenBatches(), Data.loader(20, 4, 10));
            List<String> stale = log.matching("has not been updated since its previous step");
            assertEquals(1, stale.size(), log.warnings().toString());
            assertTrue(stale.get(0).contains("'val_loss'"), stale.get(0));
            // epoch 0 has no value yet: the non-strict skip
            assertEquals(1, log.matching("which is not available but strict").size());
        }
        // validation runs after epochs 1, 3, 5; epochs 2 and 4 re-feed the previous value, as Lightning does
        assertEquals(List.of(valLoss.get(0), valLoss.get(0), valLoss.get(1), valLoss.get(1), valLoss.get(2)),
                p[0].fed());
    }

    @Test
    void stepIntervalPlateauIsFedEachStepsTrainLossAfterValidation() {
        CountingPlateau[] p = new CountingPlateau[1];
        List<Double> losses = new ArrayList<>();
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            p[0] = new CountingPlateau(sgd);
            return List.of(List.of(sgd), List.of(Map.of("scheduler", p[0], "monitor", "train_loss",
                    "interval", "step")));
        }) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = super.trainingStep(batch, batchIdx);
                losses.add((double) (float) loss.item_double());
                return loss;
            }
        };
        trainer().maxEpochs(1).build().fit(m, sevenBatches());
        assertEquals(losses, p[0].fed());
    }

    @Test
    void maxStepsMidEpochStepsNoEpochScheduler() {
        ReduceLROnPlateau[] p = new ReduceLROnPlateau[1];
        StepLR[] s = new StepLR[1];
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            s[0] = new StepLR(sgd, 1, 0.5);
            p[0] = new ReduceLROnPlateau(sgd);
            return List.of(List.of(sgd), List.of(s[0], Map.of("scheduler", p[0], "monitor", "train_loss")));
        });
        Trainer t = trainer().maxSteps(10).build();
        t.fit(m, sevenBatches());
        // epoch 0 is complete (StepLR and plateau step once); epoch 1 stops after 3 batches: neither steps
        assertEquals(List.of("epoch 0 batch 6", "epoch 0 batch 6 metric " + p[0].best()), m.calls);
        assertEquals(1, s[0].lastEpoch());
        assertEquals(1, p[0].lastEpoch());
        assertEquals(10, t.globalStep());
        assertEquals(2, t.currentEpoch());
    }

    /** should_stop set mid-epoch: validation still runs on that batch, the epoch schedulers do not step. */
    @Test
    void shouldStopMidEpochRunsValidationButStepsNoEpochScheduler() {
        StepLR[] s = new StepLR[1];
        List<String> validations = new ArrayList<>();
        Recording m = new Recording(r -> {
            SGD sgd = r.sgd();
            s[0] = new StepLR(sgd, 1, 0.5);
            return List.of(List.of(sgd), List.of(s[0]));
        }) {
            @Override
            public void onTrainBatchEnd(java.util.Optional<Tensor> loss, Batch batch, int batchIdx) {
                Trainer t = trainer().orElseThrow();
                if (t.currentEpoch() == 1 && batchIdx == 1) {
                    t.shouldStop(true);
                }
            }

            @Override
            public void onValidationEnd() {
                Trainer t = trainer().orElseThrow();
                validations.add("epoch " + t.currentEpoch() + " batch " + t.batchIdx());
            }
        };
        Trainer t = trainer().maxEpochs(5).build();
        t.fit(m, sevenBatches(), Data.loader(20, 4, 10));
        assertEquals(List.of("epoch 0 batch 6", "epoch 1 batch 1"), validations);
        assertEquals(1, s[0].lastEpoch());
        assertEquals(2, t.currentEpoch());
    }

    @Test
    void maxStepsStepIntervalSchedulerStepsAfterEveryOptimizerStep() {
        Recording m = new Recording(r -> stepScheduler(r, 1));
        trainer().maxSteps(10).build().fit(m, sevenBatches());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), m.stepsAt);
    }

    @Test
    void oneCycleLrWithEpochIntervalWarnsWhetherExplicitOrByDefault() {
        for (boolean explicit : new boolean[] {false, true}) {
            Recording m = new Recording(r -> {
                SGD sgd = r.sgd();
                OneCycleLR one = OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(10).build();
                return OptimizerConfig.of(sgd, explicit
                        ? LRSchedulerConfig.builder(one).interval(Interval.EPOCH).build() : LRSchedulerConfig.of(one));
            });
            try (LogCapture log = LogCapture.capture()) {
                trainer().maxEpochs(2).build().fit(m, sevenBatches());
                assertEquals(1, log.matching("A `OneCycleLR` scheduler is using 'interval': 'epoch'. Are you sure you"
                        + " didn't mean 'interval': 'step'?").size());
            }
        }
    }

    /** Seed 000 section 5.2: a GAN-style module with two optimizers and one scheduler each, stepped by the user. */
    @Test
    void manualOptimizationTwoOptimizersWithSchedulersSteppedByTheUser() {
        final class TwoOptimizers extends Mlp {
            final List<Long> globalStepsSeen = new ArrayList<>();

            TwoOptimizers() {
                super(4, 8, 0.1);
                automaticOptimization(false);
            }

            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                List<LightningOptimizer> opts = optimizers();
                for (LightningOptimizer opt : opts) {
                    opt.zeroGrad();
                    manualBackward(org.bytedeco.pytorch.global.torch.mse_loss(forward(batch.x()), batch.y()));
                    opt.step();
                }
                // the first scheduler is a per-step one, stepped here
                lrSchedulers().get(0).step();
                globalStepsSeen.add(trainer().orElseThrow().globalStep());
                return null;
            }

            @Override
            public void onTrainEpochEnd() {
                lrSchedulers().get(1).step();
            }

            @Override
            public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
                throw new AssertionError("the Trainer never steps schedulers in manual optimization");
            }

            @Override
            public Object configureOptimizers() {
                Adam g = new Adam(fc1.parameters(), new AdamOptions(2e-4));
                Adam d = new Adam(fc2.parameters(), new AdamOptions(2e-4));
                return List.of(List.of(g, d), List.of(
                        Map.of("scheduler", new StepLR(g, 7, 0.9), "interval", "step"), new StepLR(d, 1, 0.9)));
            }
        }
        TwoOptimizers m = new TwoOptimizers();
        Trainer t = trainer().maxEpochs(3).build();
        t.fit(m, sevenBatches());
        // both optimizers step every batch: the global step counts both
        assertEquals(42, t.globalStep());
        assertEquals(List.of(2L, 4L, 6L), m.globalStepsSeen.subList(0, 3));
        List<Optimizer> opts = t.optimizers();
        // 21 per-step scheduler steps with step_size 7: decayed 3 times; 3 epoch steps: decayed 3 times
        assertEquals(2e-4 * 0.9 * 0.9 * 0.9, ParamGroups.of(opts.get(0)).lr(0), 1e-18);
        assertEquals(2e-4 * 0.9 * 0.9 * 0.9, ParamGroups.of(opts.get(1)).lr(0), 1e-18);
        assertEquals(21, t.loggerStep());
    }
}
