package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PaddleOCR's Optimizer block as ppocr/optimizer builds it, and OptimizerFactory's torch.optim names. */
class PaddleOcrOptimizerTest {
    private PointerScope scope;
    private List<Tensor> params;

    @BeforeEach
    void params() {
        scope = new PointerScope();
        params = List.of(torch.zeros(2).requires_grad_(true));
    }

    @AfterEach
    void free() {
        scope.close();
    }

    @Test
    void seed004BlockIsAdamWithL2AsWeightDecayAndCosineWarmedUpOverRoundedEpochs() {
        OptimizerConfig c = PaddleOcrOptimizer.fromYaml(params, String.join("\n",
                "Optimizer:",
                "  name: Adam",
                "  beta1: 0.9",
                "  beta2: 0.999",
                "  lr:",
                "    name: Cosine",
                "    learning_rate: 0.001",
                "    warmup_epoch: 2",
                "  regularizer:",
                "    name: L2",
                "    factor: 1.0e-05",
                ""), 10, 25);
        Adam adam = assertInstanceOf(Adam.class, c.optimizer());
        assertEquals(1e-5, ParamGroups.of(adam).weightDecay(0), 0.0);
        assertEquals(0.9, ParamGroups.of(adam).momentum(0).getAsDouble(), 0.0, "beta1");
        assertEquals(0.999, ParamGroups.of(adam).beta2(0).getAsDouble(), 0.0);
        LRSchedulerConfig s = c.schedulers().get(0);
        assertEquals(Interval.STEP, s.interval());
        LinearWarmup warmup = assertInstanceOf(LinearWarmup.class, s.scheduler());
        CosineAnnealingDecay cosine = assertInstanceOf(CosineAnnealingDecay.class,
                warmup.innerScheduler().orElseThrow());
        // 2 warm-up epochs of 25 steps; the cosine spans all 10 * 25 steps, as PaddleOCR's T_max
        for (int i = 0; i < 50; i++) {
            warmup.step();
        }
        assertEquals(0.001, warmup.getLastLr()[0], 0.0);
        assertEquals(Map.of("name", "LinearWarmup", "learning_rate", Map.of("name", "CosineAnnealingDecay",
                "learning_rate", 0.001, "T_max", 250), "warmup_steps", 50, "start_lr", 0.0, "end_lr", 0.001),
                PaddleOcrOptimizer.schedulerMap(Map.of("name", "Cosine", "learning_rate", 0.001, "warmup_epoch", 2),
                        10, 25).orElseThrow());
        assertTrue(cosine.getLastLr()[0] > 0);
    }

    @Test
    void warmupEpochsRoundHalfToEvenAsPythonsRound() {
        // 0.5 epoch of 5 steps = 2.5 steps -> 2 (Python's round), 1.5 epochs of 5 steps = 7.5 -> 8
        assertEquals(2, PaddleOcrOptimizer.schedulerMap(Map.of("name", "Const", "learning_rate", 0.1,
                "warmup_epoch", 0.5), 3, 5).orElseThrow().get("warmup_steps"));
        assertEquals(8, PaddleOcrOptimizer.schedulerMap(Map.of("name", "Const", "learning_rate", 0.1,
                "warmup_epoch", 1.5), 3, 5).orElseThrow().get("warmup_steps"));
        assertEquals(Optional.empty(), PaddleOcrOptimizer.schedulerMap(Map.of("learning_rate", 0.1), 3, 5));
    }

    @Test
    void piecewiseLinearStepAndMultiStepConvertEpochsToSteps() {
        assertEquals(Map.of("name", "PiecewiseDecay", "boundaries", List.of(40, 80), "values",
                List.of(0.1, 0.01, 0.001)), PaddleOcrOptimizer.schedulerMap(Map.of("name", "Piecewise",
                        "decay_epochs", List.of(4, 8), "values", List.of(0.1, 0.01, 0.001)), 12, 10).orElseThrow());
        assertEquals(Map.of("name", "PolynomialDecay", "learning_rate", 0.1, "decay_steps", 120, "end_lr", 0.0,
                "power", 1.0), PaddleOcrOptimizer.schedulerMap(Map.of("name", "Linear", "learning_rate", 0.1),
                        12, 10).orElseThrow());
        assertEquals(Map.of("name", "StepDecay", "learning_rate", 0.1, "step_size", 30, "gamma", 0.5),
                PaddleOcrOptimizer.schedulerMap(Map.of("name", "Step", "learning_rate", 0.1, "step_size", 3,
                        "gamma", 0.5), 12, 10).orElseThrow());
        assertEquals(Map.of("name", "MultiStepDecay", "learning_rate", 0.1, "milestones", List.of(20, 50),
                "gamma", 0.1), PaddleOcrOptimizer.schedulerMap(Map.of("name", "MultiStepDecay", "learning_rate",
                        0.1, "milestones", List.of(2, 5), "gamma", 0.1), 12, 10).orElseThrow());
        // a Piecewise warm-up ends at the first value, as PaddleOCR's
        assertEquals(0.1, PaddleOcrOptimizer.schedulerMap(Map.of("name", "Piecewise", "decay_epochs",
                List.of(4), "values", List.of(0.1, 0.01), "warmup_epoch", 1), 12, 10).orElseThrow().get("end_lr"));
        Optimizer sgd = OptimizerFactory.create(params, Map.of("name", "SGD", "lr", 0.1));
        assertInstanceOf(PiecewiseDecay.class, LRSchedulers.fromPaddleOcr(sgd, Map.of("name", "Piecewise",
                "decay_epochs", List.of(4), "values", List.of(0.1, 0.01)), 12, 10).orElseThrow());
    }

    @Test
    void momentumIsSgdAndAdamWTakesTheFactorAsItsDecoupledDecay() {
        OptimizerConfig m = PaddleOcrOptimizer.create(params, Map.of("name", "Momentum", "momentum", 0.9,
                "lr", Map.of("learning_rate", 0.05)), 3, 4);
        assertInstanceOf(SGD.class, m.optimizer());
        assertEquals(0.9, ParamGroups.of(m.optimizer()).momentum(0).getAsDouble(), 0.0);
        assertEquals(0.05, ParamGroups.of(m.optimizer()).lr(0), 0.0);
        assertTrue(m.schedulers().isEmpty(), "a constant lr needs no scheduler");
        OptimizerConfig w = PaddleOcrOptimizer.create(params, Map.of("name", "AdamW", "lr",
                Map.of("learning_rate", 0.05), "regularizer", Map.of("name", "L2", "factor", 0.02)), 3, 4);
        assertInstanceOf(AdamW.class, w.optimizer());
        assertEquals(0.02, ParamGroups.of(w.optimizer()).weightDecay(0), 0.0);
    }

    @Test
    void mistakesNameTheKey() {
        assertEquals("Optimizer.regularizer.name: L1 is not supported: PyTorch's optimizers have no L1 decay (only"
                + " L2, as weight_decay)", assertThrows(IllegalArgumentException.class,
                        () -> PaddleOcrOptimizer.create(params, Map.of("name", "Adam", "lr", Map.of("learning_rate",
                                0.1), "regularizer", Map.of("name", "L1", "factor", 0.1)), 3, 4)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PaddleOcrOptimizer.create(params,
                Map.of("name", "RMSProp", "lr", Map.of("learning_rate", 0.1)), 3, 4)).getMessage()
                .startsWith("Optimizer.name: unknown optimizer 'RMSProp' (Paddle's RMSProp puts epsilon inside"));
        assertEquals("Optimizer.lr.name: unknown schedule 'Cosin'; did you mean 'Cosine'? accepted: Const, Cosine,"
                + " Linear, MultiStepDecay, Piecewise, Step", assertThrows(IllegalArgumentException.class,
                        () -> PaddleOcrOptimizer.create(params, Map.of("name", "Adam", "lr", Map.of("name", "Cosin",
                                "learning_rate", 0.1)), 3, 4)).getMessage());
        assertEquals("Optimizer (Adam): unknown key 'clip_norm'; accepted keys: name, lr, regularizer, beta1, beta2,"
                + " epsilon, weight_decay", assertThrows(IllegalArgumentException.class,
                        () -> PaddleOcrOptimizer.create(params, Map.of("name", "Adam", "clip_norm", 10, "lr",
                                Map.of("learning_rate", 0.1)), 3, 4)).getMessage());
    }

    @Test
    void optimizerFactoryTakesTorchNamesAndKeywords() {
        Optimizer adamW = OptimizerFactory.create(params, Map.of("name", "torch.optim.AdamW", "lr", 0.01,
                "betas", List.of(0.8, 0.9)));
        assertInstanceOf(AdamW.class, adamW);
        assertEquals(0.01, ParamGroups.of(adamW).weightDecay(0), 0.0, "PyTorch's AdamW default");
        assertEquals(0.8, ParamGroups.of(adamW).momentum(0).getAsDouble(), 0.0, "beta1");
        assertEquals("SGD: 'momentum' must be a number, got 'high' (str)", assertThrows(
                IllegalArgumentException.class, () -> OptimizerFactory.create(params, Map.of("name", "SGD",
                        "momentum", "high"))).getMessage());
        assertEquals("SGD: defaults: Invalid learning rate: -1.0 (lr must be >= 0)", assertThrows(
                IllegalArgumentException.class, () -> OptimizerFactory.create(params, Map.of("name", "SGD",
                        "lr", -1.0))).getMessage());
    }

    /** A module with no configureOptimizers of its own. */
    static final class Bare extends LightningModule {
        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            return batch.x().sum();
        }
    }

    @Test
    void aModuleWithoutConfigureOptimizersUsesTheGivenFactoryOrSaysWhatIsMissing() {
        try (Bare bare = new Bare()) {
            assertTrue(assertThrows(MisconfigurationException.class, bare::configureOptimizers).getMessage()
                    .startsWith("`configureOptimizers` must be implemented to be used with the Lightning Trainer"));
            bare.configureOptimizersWith(m -> "given");
            assertEquals("given", bare.configureOptimizers());
        }
    }
}
