package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each Trainer option trains a real LibTorch model and has its documented effect. */
class TrainerOptionsTest {

    @TempDir
    Path dir;

    private TrainerConfig.Builder base() {
        return Trainer.builder().defaultRootDir(dir).logger(false).accelerator("cpu");
    }

    /** Records which batches ran and the global step after each. */
    static final class Recorder implements Callback {
        final List<String> events = new ArrayList<>();
        final List<Long> globalSteps = new ArrayList<>();
        int trainBatches;
        int valBatches;
        int sanityValBatches;
        int validationRuns;
        boolean inSanity;

        @Override
        public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
            trainBatches++;
            globalSteps.add(t.globalStep());
        }

        @Override
        public void onSanityCheckStart(Trainer t, LightningModule m) {
            inSanity = true;
        }

        @Override
        public void onSanityCheckEnd(Trainer t, LightningModule m) {
            inSanity = false;
        }

        @Override
        public void onValidationBatchEnd(Trainer t, LightningModule m, Batch b, int i) {
            if (inSanity) {
                sanityValBatches++;
            } else {
                valBatches++;
            }
        }

        @Override
        public void onValidationEnd(Trainer t, LightningModule m) {
            if (!t.sanityChecking()) {
                validationRuns++;
                events.add("val@epoch" + t.currentEpoch() + "/batch" + t.batchIdx());
            }
        }
    }

    @Test
    void intraOpThreadsSetsLibTorchsAndOpenBlasPoolsWhileTraining() {
        int torchBefore = org.bytedeco.pytorch.global.torch.get_num_threads();
        int blasBefore = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
        int[] seen = new int[2];
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                seen[0] = org.bytedeco.pytorch.global.torch.get_num_threads();
                seen[1] = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
            }
        };
        int wanted = torchBefore == 1 ? 2 : 1;
        try {
            Trainer trainer = base().maxSteps(2).intraOpThreads(wanted).callbacks(probe).build();
            assertEquals(java.util.OptionalInt.of(wanted), trainer.config().intraOpThreads());
            trainer.fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10));
            assertEquals(wanted, seen[0], "LibTorch intra-op threads during fit");
            assertEquals(wanted, seen[1], "OpenBLAS threads during fit");
        } finally {
            org.bytedeco.pytorch.global.torch.set_num_threads(torchBefore);
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(blasBefore > 0 ? blasBefore : Runtime.getRuntime().availableProcessors());
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.jlightning.core.MisconfigurationException.class,
                () -> Trainer.builder().intraOpThreads(0));
        assertEquals("intraOpThreads must be >= 1, got 0", e.getMessage());
        assertEquals(java.util.OptionalInt.empty(), base().build().config().intraOpThreads());
    }

    @Test
    void maxEpochsRunsEveryBatchOfEveryEpoch() {
        Recorder r = new Recorder();
        Trainer trainer = base().maxEpochs(3).callbacks(r).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(30, r.trainBatches);
        assertEquals(30, trainer.globalStep());
        assertEquals(3, trainer.currentEpoch());
    }

    @Test
    void accumulateGradBatchesStepsOncePerWindowAndOnTheLastPartialWindow() {
        Recorder r = new Recorder();
        // 10 batches per epoch, windows of 4: steps after batches 3, 7 and the partial window ending at 9
        Trainer trainer = base().maxEpochs(2).accumulateGradBatches(4).callbacks(r).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(6, trainer.globalStep());
        assertEquals(List.of(0L, 0L, 0L, 1L, 1L, 1L, 1L, 2L, 2L, 3L), r.globalSteps.subList(0, 10));
        assertEquals(6, trainer.estimatedSteppingBatches());
    }

    @Test
    void accumulationAveragesGradientsOverTheWindow() {
        // one window of 2 batches of 5 samples with accumulation == one batch of 10 samples without it
        Trainer.seedEverything(3);
        Mlp a = new Mlp(4, 8, 0.1);
        Trainer.seedEverything(3);
        Mlp b = new Mlp(4, 8, 0.1);
        base().maxSteps(1).accumulateGradBatches(2).build()
                .fit(a, DataLoader.builder(Data.regression(10, 4, 1)).batchSize(5).build());
        base().maxSteps(1).build().fit(b, DataLoader.builder(Data.regression(10, 4, 1)).batchSize(10).build());
        assertEquals(b.weightChecksum(), a.weightChecksum(), 1e-5);
    }

    @Test
    void limitTrainBatchesAsFractionAndCount() {
        Recorder r = new Recorder();
        Trainer trainer = base().maxEpochs(2).limitTrainBatches(0.25).callbacks(r).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(2, trainer.numTrainingBatches());
        assertEquals(4, trainer.globalStep());

        Trainer counted = base().maxEpochs(2).limitTrainBatches(3).build();
        counted.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(6, counted.globalStep());
    }

    @Test
    void maxStepsStopsMidEpoch() {
        Recorder r = new Recorder();
        Trainer trainer = base().maxSteps(15).callbacks(r).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(15, trainer.globalStep());
        assertEquals(15, r.trainBatches);
        // the partial second epoch still ends and counts, as in Lightning
        assertEquals(2, trainer.currentEpoch());
        assertEquals(15, trainer.estimatedSteppingBatches());
    }

    @Test
    void minEpochsOverridesAnEarlyStopRequest() {
        Callback stopper = new Callback() {
            @Override
            public void onTrainEpochEnd(Trainer t, LightningModule m) {
                t.shouldStop(true);
            }
        };
        Trainer trainer = base().maxEpochs(10).minEpochs(3).callbacks(stopper).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10));
        assertEquals(3, trainer.currentEpoch());

        Trainer noMin = base().maxEpochs(10).callbacks(stopper).build();
        noMin.fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10));
        assertEquals(1, noMin.currentEpoch());
    }

    @Test
    void gradientClipByNormBoundsTheTotalGradientNorm() {
        double[] unclipped = maxGradNorm(base().maxSteps(20));
        assertTrue(unclipped[0] > 0.5, "the test model must produce large gradients, got " + unclipped[0]);
        double[] clipped = maxGradNorm(base().maxSteps(20).gradientClipVal(0.1));
        assertTrue(clipped[0] <= 0.1 + 1e-5, "total grad norm after clipping: " + clipped[0]);
    }

    @Test
    void gradientClipByValueBoundsEveryElement() {
        double[] clipped = maxGradNorm(base().maxSteps(20).gradientClipVal(0.01).gradientClipAlgorithm("value"));
        assertTrue(clipped[1] <= 0.01 + 1e-7, "largest |grad| after value clipping: " + clipped[1]);
        double[] unclipped = maxGradNorm(base().maxSteps(20));
        assertTrue(unclipped[1] > 0.01);
    }

    /** Runs a fit and returns {max total grad 2-norm, max |grad element|} seen right after each optimizer step. */
    private double[] maxGradNorm(TrainerConfig.Builder builder) {
        double[] max = new double[2];
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                TensorVector params = m.parameters();
                double sq = 0;
                for (long p = 0; p < params.size(); p++) {
                    Tensor g = params.get(p).grad();
                    double n = g.norm().item_double();
                    sq += n * n;
                    max[1] = Math.max(max[1], g.abs().max().item_double());
                }
                max[0] = Math.max(max[0], Math.sqrt(sq));
            }
        };
        Trainer.seedEverything(11);
        builder.callbacks(probe).build().fit(new Mlp(4, 16, 1e-4) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                // a large target scale makes gradients big enough that clipping has to act
                return super.trainingStep(batch, batchIdx).mul(new org.bytedeco.pytorch.Scalar(100.0));
            }
        }, Data.loader(200, 4, 10));
        return max;
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndDifferentSeedsDoNot() {
        double a = trainWithSeed(42);
        double b = trainWithSeed(42);
        double c = trainWithSeed(43);
        assertEquals(a, b, 0.0);
        assertNotEquals(a, c);
    }

    private double trainWithSeed(long seed) {
        Trainer.seedEverything(seed);
        Mlp m = new Mlp(4, 8, 0.05);
        DataLoader loader = DataLoader.builder(Data.regression(64, 4, 5)).batchSize(8).shuffle(true).build();
        base().maxEpochs(3).build().fit(m, loader);
        return m.weightChecksum();
    }

    @Test
    void valCheckIntervalFractionValidatesSeveralTimesPerEpoch() {
        Recorder r = new Recorder();
        Trainer trainer = base().maxEpochs(2).valCheckInterval(0.25).numSanityValSteps(0).callbacks(r).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10), Data.loader(30, 4, 10));
        // val_check_batch = int(10 * 0.25) = 2 -> after batches 1, 3, 5, 7, 9 of each epoch
        assertEquals(10, r.validationRuns);
        assertEquals(30, r.valBatches);
        assertEquals("val@epoch0/batch1", r.events.get(0));
    }

    @Test
    void valCheckIntervalInBatchesAndCheckValEveryNEpoch() {
        Recorder r = new Recorder();
        base().maxEpochs(2).valCheckInterval(5).numSanityValSteps(0).callbacks(r).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10), Data.loader(30, 4, 10));
        assertEquals(List.of("val@epoch0/batch4", "val@epoch0/batch9", "val@epoch1/batch4", "val@epoch1/batch9"),
                r.events);

        Recorder every2 = new Recorder();
        base().maxEpochs(4).checkValEveryNEpoch(2).numSanityValSteps(0).callbacks(every2).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10), Data.loader(30, 4, 10));
        assertEquals(List.of("val@epoch1/batch3", "val@epoch3/batch3"), every2.events);
    }

    @Test
    void numSanityValStepsRunsThatManyValidationBatchesBeforeTraining() {
        Recorder r = new Recorder();
        base().maxEpochs(1).numSanityValSteps(2).callbacks(r).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10), Data.loader(50, 4, 10));
        assertEquals(2, r.sanityValBatches);
        assertEquals(5, r.valBatches);

        Recorder none = new Recorder();
        base().maxEpochs(1).numSanityValSteps(0).callbacks(none).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10), Data.loader(50, 4, 10));
        assertEquals(0, none.sanityValBatches);
    }

    @Test
    void fastDevRunRunsOneBatchOfTrainAndValWithoutLogging() {
        Recorder r = new Recorder();
        Trainer trainer = Trainer.builder().defaultRootDir(dir).accelerator("cpu").fastDevRun(true).callbacks(r)
                .build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10), Data.loader(50, 4, 10));
        assertEquals(1, r.trainBatches);
        assertEquals(1, r.valBatches);
        assertEquals(0, r.sanityValBatches);
        assertEquals(1, trainer.globalStep());
        // as Lightning, the configured loggers are replaced by a DummyLogger that writes nothing
        assertEquals(1, trainer.loggers().size());
        assertTrue(trainer.loggers().get(0) instanceof dev.jlightning.logging.DummyLogger);
        assertTrue(!dir.resolve("lightning_logs").toFile().exists(), "fast_dev_run must not write logs");
    }

    @Test
    void validateAndTestReturnEpochMetrics() {
        Mlp m = new Mlp(4, 8, 0.05);
        Trainer trainer = base().build();
        var val = trainer.validate(m, Data.loader(30, 4, 10));
        var test = trainer.test(m, Data.loader(30, 4, 10));
        assertTrue(val.get(0).containsKey("val_loss"));
        assertTrue(test.get(0).get("test_loss") > 0);
        // same data, same weights: the two losses agree
        assertEquals(val.get(0).get("val_loss"), test.get(0).get("test_loss"), 1e-6);
    }

    @Test
    void predictReturnsOnePredictionPerBatchOwnedByTheCaller() {
        Mlp m = new Mlp(4, 8, 0.05);
        List<Tensor> preds = base().build().predict(m, Data.loader(25, 4, 10));
        assertEquals(3, preds.size());
        assertEquals(10, preds.get(0).size(0));
        assertEquals(5, preds.get(2).size(0));
        assertTrue(!preds.get(0).requires_grad());
        preds.forEach(Tensor::close);
    }

    @Test
    void optimizerHooksSeeTheOptimizer() {
        List<Optimizer> seen = new ArrayList<>();
        Callback c = new Callback() {
            @Override
            public void onBeforeOptimizerStep(Trainer t, LightningModule m, Optimizer o) {
                seen.add(o);
            }
        };
        Trainer trainer = base().maxSteps(3).callbacks(c).build();
        trainer.fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        assertEquals(3, seen.size());
        assertEquals(trainer.optimizers().get(0).address(), seen.get(0).address());
    }

    @Test
    void limitValAndTestBatchesBoundTheEvaluationLoops() {
        Recorder r = new Recorder();
        base().maxEpochs(1).limitValBatches(0.5).numSanityValSteps(0).callbacks(r).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(40, 4, 10), Data.loader(80, 4, 10));
        assertEquals(4, r.valBatches);

        int[] testBatches = new int[1];
        Callback counter = new Callback() {
            @Override
            public void onTestBatchEnd(Trainer t, LightningModule m, Batch b, int i) {
                testBatches[0]++;
            }
        };
        base().limitTestBatches(3).callbacks(counter).build().test(new Mlp(4, 8, 0.05), Data.loader(80, 4, 10));
        assertEquals(3, testBatches[0]);
    }

    @Test
    void logEveryNStepsControlsHowOftenStepRowsAreWritten() throws Exception {
        dev.jlightning.logging.CSVLogger logger = dev.jlightning.logging.CSVLogger.builder(dir).version(0).build();
        Trainer.builder().logger(logger).maxEpochs(1).logEveryNSteps(4).build()
                .fit(new Mlp(4, 8, 0.05), Data.loader(100, 4, 10));
        List<String> rows = java.nio.file.Files.readAllLines(dir.resolve("lightning_logs/version_0/metrics.csv"));
        // 10 stepping batches: rows at steps 3 and 7 ((step + 1) % 4 == 0)
        assertEquals("epoch,step,train_loss", rows.get(0));
        assertEquals(3, rows.size());
        assertTrue(rows.get(1).startsWith("0,3,"), rows.get(1));
        assertTrue(rows.get(2).startsWith("0,7,"), rows.get(2));
    }
}
