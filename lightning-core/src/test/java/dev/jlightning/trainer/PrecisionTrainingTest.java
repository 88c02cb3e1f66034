package dev.jlightning.trainer;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.optim.StepLR;
import dev.jlightning.precision.Autocast;
import dev.jlightning.precision.GradScaler;
import dev.jlightning.precision.MixedPrecision;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer's {@code precision}: autocast around the steps, module conversion, the gradient scaler inside the fit
 * loop (skipped steps, scheduler, checkpoint), and the checks at build time. Ports the CPU cases of Lightning's
 * tests/tests_pytorch/plugins/precision/test_amp.py and test_amp_integration.py.
 */
class PrecisionTrainingTest {

    @TempDir
    Path dir;

    /** Records dtypes and the autocast flag as seen inside the steps. */
    static final class DtypeProbe extends Mlp {
        ScalarType hidden;
        ScalarType loss;
        ScalarType weight;
        ScalarType validationHidden;
        boolean autocastInTrainingStep;

        DtypeProbe() {
            super(4, 8, 0.1);
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor h = fc1.forward(batch.x());
            hidden = h.scalar_type().intern();
            autocastInTrainingStep = Autocast.isEnabled(DeviceType.CPU);
            Tensor l = mse_loss(fc2.forward(relu(h)), batch.y());
            loss = l.scalar_type().intern();
            weight = fc1.weight().scalar_type().intern();
            return l;
        }

        @Override
        public void validationStep(Batch batch, int batchIdx) {
            validationHidden = fc1.forward(batch.x()).scalar_type().intern();
        }
    }

    private TrainerConfig.Builder trainer() {
        return Trainer.builder().accelerator("cpu").maxEpochs(1).logger(false).enableProgressBar(false)
                .enableModelSummary(false).numSanityValSteps(0).defaultRootDir(dir);
    }

    @Test
    void bf16MixedRunsTheLinearLayerInBfloat16WhileLossAndWeightsStayFloat32() {
        Trainer.seedEverything(1);
        DtypeProbe m = new DtypeProbe();
        trainer().precision("bf16-mixed").build().fit(m, Data.loader(32, 4, 8), Data.loader(16, 4, 8));
        assertEquals(ScalarType.BFloat16, m.hidden);
        assertEquals(ScalarType.Float, m.loss);
        assertEquals(ScalarType.Float, m.weight);
        assertEquals(ScalarType.BFloat16, m.validationHidden);
        assertTrue(m.autocastInTrainingStep);
        // the loop's thread is left as it was found
        assertFalse(Autocast.isEnabled(DeviceType.CPU));
        assertEquals(ScalarType.Float, m.fc1.weight().scalar_type().intern());
    }

    @Test
    void bf16MixedPredictionsAreBfloat16AndAutocastIsRestoredAfterAFailingStep() {
        Trainer.seedEverything(1);
        Mlp m = new Mlp(4, 8, 0.1);
        List<Tensor> out = trainer().precision("bf16").build().predict(m, Data.loader(16, 4, 8));
        assertEquals(ScalarType.BFloat16, out.get(0).scalar_type().intern());
        out.forEach(Tensor::close);

        Mlp failing = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                throw new IllegalStateException("boom");
            }
        };
        assertThrows(IllegalStateException.class,
                () -> trainer().precision("bf16-mixed").build().fit(failing, Data.loader(16, 4, 8)));
        assertFalse(Autocast.isEnabled(DeviceType.CPU));
    }

    @Test
    void thirtyTwoTrueIsBitIdenticalToTheDefault() {
        double[][] runs = new double[2][];
        for (int i = 0; i < 2; i++) {
            Trainer.seedEverything(3);
            Mlp m = new Mlp(4, 8, 0.05);
            TrainerConfig.Builder b = trainer().maxEpochs(3);
            if (i == 1) {
                b.precision("32-true");
            }
            Trainer t = b.build();
            t.fit(m, Data.loader(40, 4, 8));
            assertFalse(t.strategy().precision().scaler().isPresent());
            runs[i] = flatWeights(m);
        }
        assertEquals(runs[0].length, runs[1].length);
        for (int k = 0; k < runs[0].length; k++) {
            assertEquals(Double.doubleToRawLongBits(runs[0][k]), Double.doubleToRawLongBits(runs[1][k]), "weight " + k);
        }
    }

    private static double[] flatWeights(LightningModule m) {
        List<Double> all = new ArrayList<>();
        try (TensorVector ps = m.parameters()) {
            for (long i = 0; i < ps.size(); i++) {
                Tensor flat = ps.get(i).flatten().to(ScalarType.Double);
                for (long j = 0; j < flat.numel(); j++) {
                    all.add(flat.get(j).item_double());
                }
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void sixtyFourTrueAndBf16TrueConvertTheModuleAndTheInputs() {
        Trainer.seedEverything(1);
        DtypeProbe d = new DtypeProbe();
        trainer().precision(64).build().fit(d, Data.loader(16, 4, 8));
        assertEquals(ScalarType.Double, d.weight);
        assertEquals(ScalarType.Double, d.loss);
        DtypeProbe h = new DtypeProbe();
        trainer().precision("bf16-true").build().fit(h, Data.loader(16, 4, 8));
        assertEquals(ScalarType.BFloat16, h.weight);
        assertEquals(ScalarType.BFloat16, h.hidden);
        assertEquals(ScalarType.Float, torch.get_default_dtype_as_scalartype().intern(), "default dtype restored");
    }

    @Test
    void sixteenMixedOnCpuAndUnknownPrecisionsAreRefusedWhenTheTrainerIsBuilt() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer().precision("16-mixed").build());
        assertTrue(e.getMessage().contains("precision='bf16-mixed'"), e.getMessage());
        e = assertThrows(MisconfigurationException.class, () -> trainer().precision(16).build());
        assertTrue(e.getMessage().contains("16-mixed"), e.getMessage());
        e = assertThrows(MisconfigurationException.class, () -> trainer().precision("mixed"));
        assertTrue(e.getMessage().contains("Precision 'mixed' is invalid. Allowed precision values: ["),
                e.getMessage());
        assertThrows(MisconfigurationException.class, () -> trainer().precision(8));
    }

    /**
     * A regression MLP whose loss is multiplied by inf at the given global batches, under a float16 plugin with a
     * small scaler, SGD and StepLR(1, 0.5) stepped every batch.
     */
    static final class InfAt extends Mlp {
        final java.util.Set<Long> infBatches;
        long seen;

        InfAt(long... infBatches) {
            super(4, 8, 0.1);
            this.infBatches = new java.util.HashSet<>();
            for (long b : infBatches) {
                this.infBatches.add(b);
            }
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = super.trainingStep(batch, batchIdx);
            return infBatches.contains(seen++) ? loss.mul(new Scalar(Double.POSITIVE_INFINITY)) : loss;
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = new SGD(parameters(), new SGDOptions(lr));
            return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", new StepLR(sgd, 1, 0.5),
                    "interval", "step"));
        }
    }

    /** After each batch: the scale, the lr, a weight fingerprint, the global step. */
    static final class Trace implements Callback {
        final List<Double> scale = new ArrayList<>();
        final List<Double> lr = new ArrayList<>();
        final List<Double> weights = new ArrayList<>();
        final List<Long> steps = new ArrayList<>();
        double scaleAtTrainStart = Double.NaN;

        @Override
        public void onTrainStart(Trainer trainer, LightningModule module) {
            scaleAtTrainStart = trainer.strategy().precision().scaler().orElseThrow().getScale();
        }

        @Override
        public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                int batchIdx) {
            scale.add(trainer.strategy().precision().scaler().orElseThrow().getScale());
            lr.add(trainer.lrSchedulers().get(0).getLastLr()[0]);
            weights.add(((Mlp) module).weightChecksum());
            steps.add(trainer.globalStep());
        }
    }

    private static MixedPrecision fp16OnCpu(double initScale, int growthInterval) {
        return MixedPrecision.of("16-mixed", DeviceType.CPU, Optional.of(GradScaler.builder().initScale(initScale)
                .growthInterval(growthInterval).build()));
    }

    @Test
    void infGradientsSkipTheOptimizerStepAndTheSchedulerAndHalveTheScale() {
        Trainer.seedEverything(5);
        InfAt m = new InfAt(2);
        Trace trace = new Trace();
        DataLoader data = Data.loader(48, 4, 8);
        trainer().precision(fp16OnCpu(1024, 3)).callbacks(trace).build().fit(m, data);
        // batches 0, 1 good; 2 inf; 3, 4, 5 good: the third good step in a row grows the scale again
        assertEquals(List.of(1024.0, 1024.0, 512.0, 512.0, 512.0, 1024.0), trace.scale);
        assertEquals(trace.weights.get(1), trace.weights.get(2), "weights unchanged by the skipped step");
        assertNotEquals(trace.weights.get(2), trace.weights.get(3));
        // StepLR(1, 0.5) per step: not stepped for the skipped batch
        assertEquals(List.of(0.05, 0.025, 0.025, 0.0125, 0.00625, 0.003125), trace.lr);
        // Lightning counts the skipped step as an optimizer step all the same
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), trace.steps);
    }

    @Test
    void gradientsAreUnscaledBeforeOnBeforeOptimizerStepAndClipping() {
        // with the scale of 1024 still applied the gradient norm would be over a thousand (2^16 overflows float16 in
        // this small model's backward: the scaler would then rightly skip steps, which is not what this test is about)
        List<Double> normsSeen = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onBeforeOptimizerStep(Trainer trainer, LightningModule module,
                    org.bytedeco.pytorch.Optimizer optimizer) {
                normsSeen.add(gradNorm(module));
            }

            @Override
            public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                    int batchIdx) {
                normsSeen.add(-gradNorm(module));
            }
        };
        Trainer.seedEverything(5);
        trainer().precision(fp16OnCpu(1024, 2000)).gradientClipVal(0.01).callbacks(probe).build()
                .fit(new InfAt(), Data.loader(24, 4, 8));
        assertEquals(6, normsSeen.size());
        for (int i = 0; i < normsSeen.size(); i += 2) {
            assertTrue(normsSeen.get(i) > 0.01 && normsSeen.get(i) < 100, "before clipping: " + normsSeen);
            // after the step the clipped gradients are still there: norm 0.01, not 0.01 * 1024
            assertEquals(0.01, -normsSeen.get(i + 1), 1e-4, "after clipping: " + normsSeen);
        }
    }

    private static double gradNorm(LightningModule module) {
        double sq = 0;
        try (TensorVector ps = module.parameters()) {
            for (long i = 0; i < ps.size(); i++) {
                Tensor g = ps.get(i).grad();
                if (g.defined()) {
                    double n = g.norm().item_double();
                    sq += n * n;
                }
            }
        }
        return Math.sqrt(sq);
    }

    @Test
    void scalerStateIsCheckpointedWithThePrecisionAndRestoredOnResume() throws Exception {
        Trainer.seedEverything(5);
        Trainer first = trainer().precision(fp16OnCpu(1024, 4)).build();
        first.fit(new InfAt(1, 4), Data.loader(48, 4, 8));
        Path ckpt = dir.resolve("amp.ckpt");
        first.saveCheckpoint(ckpt);
        Map<String, Object> json = new AtomicCheckpointIO().load(ckpt).json();
        assertEquals("16-mixed", json.get("precision"));
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) json.get("MixedPrecision");
        // 1024 -> inf at batch 1 -> 512 -> inf at batch 4 -> 256, then one good step
        assertEquals(256.0, ((Number) state.get("scale")).doubleValue());
        assertEquals(1, ((Number) state.get("_growth_tracker")).intValue());
        assertEquals(4, ((Number) state.get("growth_interval")).intValue());

        Trace trace = new Trace();
        Trainer resumed = trainer().maxEpochs(2).precision(fp16OnCpu(65536, 2000)).callbacks(trace).build();
        resumed.fit(new InfAt(), Data.loader(48, 4, 8), ckpt.toString());
        assertEquals(256.0, trace.scaleAtTrainStart);
        GradScaler s = resumed.strategy().precision().scaler().orElseThrow();
        assertEquals(4, s.growthInterval());
        // the restored tracker (1) counts: the third good step after the resume reaches growth_interval=4
        assertEquals(List.of(256.0, 256.0, 512.0, 512.0, 512.0, 512.0), trace.scale);
        assertEquals(3, s.growthTracker());
    }

    @Test
    void resumingWithAnotherPrecisionWarns() throws Exception {
        Trainer.seedEverything(5);
        Trainer first = trainer().build();
        first.fit(new Mlp(4, 8, 0.1), Data.loader(16, 4, 8));
        Path ckpt = dir.resolve("fp32.ckpt");
        first.saveCheckpoint(ckpt);
        assertTrue(Files.exists(ckpt));
        assertEquals("32-true", new AtomicCheckpointIO().load(ckpt).json().get("precision"));
        try (LogCapture logs = LogCapture.capture()) {
            trainer().maxEpochs(2).precision("bf16-mixed").build().fit(new Mlp(4, 8, 0.1), Data.loader(16, 4, 8),
                    ckpt.toString());
            List<String> w = logs.matching("was saved with precision='32-true', but this Trainer trains with"
                    + " precision='bf16-mixed'");
            assertEquals(1, w.size(), logs.warnings().toString());
        }
        try (LogCapture logs = LogCapture.capture()) {
            trainer().maxEpochs(2).build().fit(new Mlp(4, 8, 0.1), Data.loader(16, 4, 8), ckpt.toString());
            assertTrue(logs.matching("was saved with precision").isEmpty(), logs.warnings().toString());
        }
    }

    @Test
    void sixteenMixedWithManualOptimizationIsRefusedBeforeTraining() {
        Mlp manual = new Mlp(4, 8, 0.1) {
            {
                automaticOptimization(false);
            }
        };
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer().precision(fp16OnCpu(8, 10)).build().fit(manual, Data.loader(16, 4, 8)));
        assertTrue(e.getMessage().contains("manual optimization"), e.getMessage());
    }
}
