package dev.jlightning.tuner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * The learning-rate finder on linear regression, whose good range is known: with standard-normal inputs the MSE
 * Hessian is about 2·I, so plain SGD converges for lr below about 1 and diverges above it.
 */
class TunerTest {

    @TempDir
    Path dir;

    /** y = 3x + 2 + 0.1 noise; Linear(1, 1) trained by SGD with the lr of its hparams. */
    static class LinReg extends LightningModule {
        final LinearImpl linear = register_module("linear", new LinearImpl(1, 1));
        final List<Double> rawLosses = new ArrayList<>();
        int trainStarts;
        boolean withScheduler = true;

        LinReg(double lr) {
            this(Map.of("lr", lr));
        }

        LinReg(Map<String, ?> hparams) {
            saveHyperparameters(hparams);
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            return mse_loss(linear.forward(batch.x()), batch.y());
        }

        @Override
        public void onTrainBatchEnd(Optional<Tensor> loss, Batch batch, int batchIdx) {
            rawLosses.add(loss.orElseThrow().item_double());
        }

        @Override
        public void onTrainStart() {
            trainStarts++;
        }

        @Override
        public Object configureOptimizers() {
            Object lr = hparams().getOrDefault("lr", hparams().getOrDefault("learning_rate", 0.1));
            SGD sgd = new SGD(parameters(), new SGDOptions(((Number) lr).doubleValue()));
            // the finder must replace this scheduler with its own
            return withScheduler ? OptimizerConfig.of(sgd, new StepLR(sgd, 1, 0.1)) : sgd;
        }

        double[] weights() {
            return new double[] {linear.weight().item_double(), linear.bias().item_double()};
        }
    }

    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    static DataLoader regression(long seed) {
        Trainer.seedEverything(seed);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(256, 1);
            Tensor y = x.mul(new Scalar(3.0)).add(new Scalar(2.0)).add(randn(256, 1).mul(new Scalar(0.1)));
            return DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).build();
        }
    }

    private Trainer trainer() {
        return Trainer.builder().defaultRootDir(dir).logger(false).accelerator("cpu").build();
    }

    @Test
    void exponentialSweepUsesLightningsLearningRatesAndSmoothedLosses() {
        LinReg model = new LinReg(0.05);
        LRFindOptions options = LRFindOptions.builder().minLr(1e-3).maxLr(1.0).numTraining(20).noEarlyStop()
                .updateAttr(false).build();
        LRFinderResult r = new Tuner(trainer()).lrFind(model, regression(1), options).orElseThrow();

        assertEquals(20, r.lrs().size());
        assertEquals(1e-3, r.lrs().get(0));
        // from the second step on the fraction is (step + 1) / num_training: Lightning's _ExponentialLR
        for (int k = 1; k < 20; k++) {
            assertEquals(1e-3 * Math.pow(1.0 / 1e-3, (k + 1) / 20.0), r.lrs().get(k), 0.0, "lr of step " + k);
        }
        assertEquals(1.0, r.lrs().get(19), 1e-15);

        // smoothed with beta 0.98 and Lightning's bias correction by the already-incremented global step
        assertEquals(20, model.rawLosses.size());
        double avg = 0;
        for (int k = 0; k < 20; k++) {
            // (1 - 0.98) as Python computes it: 0.020000000000000018
            avg = 0.98 * avg + (1 - 0.98) * model.rawLosses.get(k);
            assertEquals(avg / (1 - Math.pow(0.98, k + 2)), r.losses().get(k), 0.0, "loss of step " + k);
        }
        assertEquals(1, model.trainStarts, "the module's training hooks run during the search");
    }

    @Test
    void linearSweep() {
        LRFindOptions options = LRFindOptions.builder().minLr(0.01).maxLr(0.5).numTraining(10).mode("linear")
                .noEarlyStop().updateAttr(false).build();
        LRFinderResult r = new Tuner(trainer()).lrFind(new LinReg(0.1), regression(2), options).orElseThrow();
        assertEquals("linear", r.mode());
        assertEquals(0.01, r.lrs().get(0));
        for (int k = 1; k < 10; k++) {
            assertEquals(0.01 + (k + 1) / 10.0 * (0.5 - 0.01), r.lrs().get(k), 0.0);
        }
    }

    @Test
    void divergenceStopsAnExponentialSearchPastTheStabilityLimit() {
        LinReg model = new LinReg(0.001);
        double[] before = model.weights();
        Trainer trainer = trainer();
        LRFinderResult r = new Tuner(trainer).lrFind(model, regression(3),
                LRFindOptions.builder().minLr(1e-4).maxLr(100).numTraining(100).updateAttr(false).build())
                .orElseThrow();

        // the lr passes 1 at step 66; the loss blows up soon after, and the search stops
        int steps = r.lrs().size();
        assertTrue(steps < 100, "the search should stop on divergence, ran " + steps + " steps");
        assertTrue(r.lrs().get(steps - 1) > 1.0 && r.lrs().get(steps - 1) < 4.0,
                "stopped at lr " + r.lrs().get(steps - 1));
        double best = r.losses().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(r.losses().get(steps - 1) > 4 * best);
        // on a convex problem the loss falls fastest per unit of lr where the lrs are small, right after skip_begin:
        // Lightning's arithmetic, below the divergence either way
        double suggestion = r.suggestion().orElseThrow();
        assertTrue(suggestion < 1.0, "suggested lr " + suggestion);
        assertEquals(r.lrs().get(r.suggestionIndex(10, 1).getAsInt()), suggestion);

        // the module is put back exactly and still belongs to the user's Trainer
        assertEquals(before[0], model.weights()[0], 0.0);
        assertEquals(before[1], model.weights()[1], 0.0);
        assertSame(trainer, model.trainer().orElseThrow());
        assertEquals(Map.of("lr", 0.001), model.hparams());
    }

    @Test
    void aLinearSearchSuggestsAConvergentLearningRate() {
        LinReg model = new LinReg(0.001);
        LRFinderResult r = new Tuner(trainer()).lrFind(model, regression(3),
                LRFindOptions.builder().mode("linear").updateAttr(false).build()).orElseThrow();
        // lr from 1e-8 to 1 in 100 steps: SGD converges on this problem for lr up to about 1
        double suggestion = r.suggestion().orElseThrow();
        assertTrue(suggestion > 0.05 && suggestion < 1.0, "suggested lr " + suggestion);

        // and training with the suggestion finds y = 3x + 2
        LinReg fresh = new LinReg(suggestion);
        fresh.withScheduler = false;
        Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(10).build().fit(fresh, regression(3));
        assertEquals(3.0, fresh.weights()[0], 0.05);
        assertEquals(2.0, fresh.weights()[1], 0.05);
    }

    @Test
    void updateAttrWritesTheSuggestionIntoHparams() {
        LinReg model = new LinReg(0.001);
        LRFinderResult r = new Tuner(trainer()).lrFind(model, regression(3),
                LRFindOptions.builder().minLr(1e-4).maxLr(100).build()).orElseThrow();
        assertEquals(r.suggestion().orElseThrow(), model.hparams().get("lr"));

        LinReg named = new LinReg(Map.of("learning_rate", 0.001, "hidden", 4));
        LRFinderResult r2 = new Tuner(trainer()).lrFind(named, regression(3),
                LRFindOptions.builder().minLr(1e-4).maxLr(100).build()).orElseThrow();
        assertEquals(r2.suggestion().orElseThrow(), named.hparams().get("learning_rate"));
    }

    @Test
    void updateAttrWithoutALearningRateInHparamsFailsBeforeTraining() {
        LinReg none = new LinReg(Map.of("hidden", 4));
        double[] before = none.weights();
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> new Tuner(trainer()).lrFind(none, regression(3)));
        assertTrue(e.getMessage().contains("('lr', 'learning_rate')"), e.getMessage());
        assertEquals(0, none.rawLosses.size());
        assertEquals(before[0], none.weights()[0], 0.0);

        LinReg lr = new LinReg(0.1);
        e = assertThrows(MisconfigurationException.class, () -> new Tuner(trainer())
                .lrFind(lr, regression(3), LRFindOptions.builder().attrName("learning_rate").build()));
        assertTrue(e.getMessage().contains("was set to learning_rate"), e.getMessage());
    }

    @Test
    void theSnapshotRestoresWeightsAndOptimizerStateExactly() {
        Trainer.seedEverything(9);
        LinReg a = new LinReg(0.1);
        Trainer.seedEverything(9);
        LinReg b = new LinReg(0.1);
        SGD optA = momentumSgd(a);
        SGD optB = momentumSgd(b);
        // one step each, so both optimizers hold momentum buffers
        stepWithGradient(a, optA, 0.5);
        stepWithGradient(b, optB, 0.5);

        StateSnapshot snapshot = StateSnapshot.take(a, List.of(optA));
        for (int i = 0; i < 3; i++) {
            stepWithGradient(a, optA, -2.0);
        }
        assertTrue(a.weights()[0] != b.weights()[0]);
        snapshot.restore();
        assertEquals(b.weights()[0], a.weights()[0], 0.0);
        // the next step depends on the momentum buffer: identical only if the optimizer state came back too
        stepWithGradient(a, optA, 0.25);
        stepWithGradient(b, optB, 0.25);
        assertEquals(b.weights()[0], a.weights()[0], 0.0);
        assertEquals(b.weights()[1], a.weights()[1], 0.0);
    }

    private static SGD momentumSgd(LinReg model) {
        SGDOptions options = new SGDOptions(0.1);
        options.momentum().put(0.9);
        return new SGD(model.parameters(), options);
    }

    /** One optimizer step with every gradient element equal to {@code g}: the gradient of g * sum(params). */
    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    private static void stepWithGradient(LinReg model, SGD sgd, double g) {
        try (PointerScope scope = new PointerScope()) {
            sgd.zero_grad();
            TensorVector params = model.parameters();
            Tensor total = params.get(0).sum().mul(new Scalar(g));
            for (long i = 1; i < params.size(); i++) {
                total = total.add(params.get(i).sum().mul(new Scalar(g)));
            }
            total.backward();
            sgd.step();
        }
    }

    @Test
    void suggestionSkipsTheEndsAndNonFiniteLossesAndNeedsTwoPoints() {
        List<Double> lrs = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        // steepest descent between 3 and 4; the last point (a big drop) is skipped by skip_end=1
        List<Double> losses = List.of(10.0, 9.0, 8.5, 5.0, 4.5, 0.0);
        LRFinderResult r = new LRFinderResult("linear", 1, 6, 6, lrs, losses);
        assertEquals(OptionalDouble.of(3.0), r.suggestion(0, 1));
        assertEquals(OptionalDouble.of(4.0), r.suggestion(3, 1));
        // without the NaN point the spacing is uneven (lrs 1, 3, 4, 5): torch.gradient's second-order formula puts
        // the steepest descent, -2.58, at lr 3
        LRFinderResult withNaN = new LRFinderResult("linear", 1, 6, 6, lrs,
                List.of(10.0, Double.NaN, 8.5, 5.0, 4.5, 0.0));
        assertEquals(2, withNaN.suggestionIndex(0, 1).getAsInt());
        assertEquals(OptionalDouble.empty(), r.suggestion());
        assertThrows(IllegalArgumentException.class, () -> r.suggestion(0, 0));
    }

    @Test
    void onlyOneOptimizerAndFastDevRunSkips() {
        LinReg two = new LinReg(0.1) {
            @Override
            public Object configureOptimizers() {
                return List.of(new SGD(parameters(), new SGDOptions(0.1)), new SGD(parameters(), new SGDOptions(0.1)));
            }
        };
        double[] before = two.weights();
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> new Tuner(trainer()).lrFind(two, regression(5), LRFindOptions.builder().updateAttr(false)
                        .build()));
        // automatic optimization refuses two optimizers before the finder's own single-optimizer check, as in Lightning
        assertTrue(e.getMessage().contains("multiple optimizers"), e.getMessage());
        assertEquals(before[0], two.weights()[0], 0.0);

        Trainer fast = Trainer.builder().defaultRootDir(dir).fastDevRun(true).build();
        assertEquals(Optional.empty(), new Tuner(fast).lrFind(new LinReg(0.1), regression(5)));
    }

    @Test
    void wrongOptionsNameTheKey() {
        assertTrue(assertThrows(MisconfigurationException.class, () -> LRFindOptions.builder().mode("cosine"))
                .getMessage().contains("`mode`"));
        assertTrue(assertThrows(MisconfigurationException.class, () -> LRFindOptions.builder().minLr(0))
                .getMessage().contains("`min_lr`"));
        assertTrue(assertThrows(MisconfigurationException.class,
                () -> LRFindOptions.builder().minLr(1).maxLr(0.5).build()).getMessage().contains("`max_lr`"));
        assertTrue(assertThrows(MisconfigurationException.class, () -> LRFindOptions.builder().numTraining(0))
                .getMessage().contains("`num_training`"));
    }
}
