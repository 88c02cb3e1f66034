package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PaddleSchedulersTest {
    private PointerScope scope;
    private Optimizer optimizer;

    @BeforeEach
    void twoGroupSgd() {
        scope = new PointerScope();
        optimizer = Optimizers.sgd(0.1).momentum(0.9)
                .group(List.of(torch.zeros(2)), g -> g.lr(0.1))
                .group(List.of(torch.zeros(2)), g -> g.lr(0.01))
                .build();
    }

    @AfterEach
    void free() {
        scope.close();
    }

    @Test
    void seed004PaddleOcrYamlWarmsUpThenHandsOverToMultiStepDecayCountingFromZero() {
        String yaml = String.join("\n",
                "lr_scheduler:",
                "  name: LinearWarmup",
                "  start_lr: 0.0",
                "  end_lr: 0.007",
                "  warmup_steps: 2000",
                "  scheduler:",
                "    name: MultiStepDecay",
                "    milestones: [300, 400]",
                "    gamma: 0.1",
                "");
        LRScheduler s = LRSchedulers.fromYaml(optimizer, yaml);
        LinearWarmup warmup = assertInstanceOf(LinearWarmup.class, s);
        assertInstanceOf(MultiStepDecay.class, warmup.innerScheduler().orElseThrow());
        Map<Integer, Double> seen = new HashMap<>();
        seen.put(0, s.getLastLr()[0]);
        for (int epoch = 1; epoch <= 2450; epoch++) {
            s.step();
            seen.put(epoch, s.getLastLr()[0]);
        }
        assertEquals(0.0, seen.get(0));
        assertEquals(0.007 * 1000 / 2000, seen.get(1000), 1e-18);
        assertEquals(0.007, seen.get(2000), 0.0);
        assertEquals(0.007, seen.get(2299), 0.0);
        // the inner count is epoch - warmup_steps, so the milestones fall 300 and 400 steps after warm-up
        assertEquals(0.007 * 0.1, seen.get(2300), 1e-18);
        assertEquals(0.007 * 0.1 * 0.1, seen.get(2400), 1e-18);
        assertArrayEquals(new double[] {seen.get(2450), seen.get(2450)}, ParamGroups.of(optimizer).lrs(), 0.0);
    }

    @Test
    void everyGroupGetsPaddlesSingleLearningRate() {
        StepDecay s = new StepDecay(optimizer, 0.5, 2, 0.5);
        assertArrayEquals(new double[] {0.5, 0.5}, ParamGroups.of(optimizer).lrs());
        assertArrayEquals(new double[] {0.5, 0.5}, s.baseLrs());
        s.step();
        s.step();
        assertArrayEquals(new double[] {0.25, 0.25}, s.getLastLr());
        assertEquals(0.25, s.lastLrValue());
        assertEquals(2, s.lastEpoch());
    }

    @Test
    void stepWithEpochUsesTheClosedFormWithoutTheTorchDeprecation() {
        CosineAnnealingDecay s = new CosineAnnealingDecay(optimizer, 0.5, 10, 0.0, -1);
        s.step(5);
        assertEquals(0.25, s.lastLrValue(), 1e-15);
        assertEquals(5, s.lastEpoch());
        assertThrows(IllegalArgumentException.class, () -> s.step(2.5));
    }

    @Test
    void linearWarmupStateDictCarriesTheInnerSchedulerAndResumes() {
        Map<String, Object> config = Map.of("name", "LinearWarmup", "learning_rate",
                Map.of("name", "CosineAnnealingDecay", "learning_rate", 0.5, "T_max", 20),
                "warmup_steps", 5, "start_lr", 0.0, "end_lr", 0.5);
        LRScheduler a = LRSchedulers.create(optimizer, config);
        for (int i = 0; i < 12; i++) {
            a.step();
        }
        Map<String, Object> state = a.stateDict();
        assertTrue(state.containsKey("LinearWarmup_LR"), state.toString());
        List<Double> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            a.step();
            expected.add(a.getLastLr()[0]);
        }
        Optimizer fresh = Optimizers.sgd(0.1).params(List.of(torch.zeros(2))).build();
        LRScheduler b = LRSchedulers.create(fresh, config);
        b.loadStateDict(state);
        for (int i = 0; i < 10; i++) {
            b.step();
            assertEquals(expected.get(i), b.getLastLr()[0], 0.0, "step " + i);
        }
    }

    @Test
    void paddleStyleStateDictWithOnlyLastEpochAndLastLrLoads() {
        CosineAnnealingDecay s = new CosineAnnealingDecay(optimizer, 0.5, 10, 0.0, -1);
        s.loadStateDict(new HashMap<>(Map.of("last_epoch", 4, "last_lr", 0.3)));
        assertEquals(0.3, s.lastLrValue());
        s.step();
        double t = Math.PI * 5 / 10;
        assertEquals((1 + Math.cos(t)) / (1 + Math.cos(Math.PI * 4 / 10)) * 0.3, s.lastLrValue(), 1e-17);
    }

    @Test
    void lastEpochResumesPaddlesOwnCountWithoutInitialLr() {
        StepDecay s = new StepDecay(optimizer, 0.5, 3, 0.5, 7);
        assertEquals(8, s.lastEpoch());
        assertEquals(0.125, s.lastLrValue());
    }

    @Test
    void invalidPaddleValuesAreRejectedWithKeyValueAndRange() {
        assertMessage(() -> new StepDecay(optimizer, 0.5, 0), "StepDecay: step_size=0 is invalid");
        assertMessage(() -> new StepDecay(optimizer, 0.5, 3, 1.0), "StepDecay: gamma=1.0 is invalid: expected 0 < gamma < 1");
        assertMessage(() -> new StepDecay(optimizer, -0.5, 3), "StepDecay: learning_rate=-0.5 is invalid");
        assertMessage(() -> new MultiStepDecay(optimizer, 0.5, List.of(3, 3)),
                "MultiStepDecay: milestones=[3, 3] is invalid: the elements of milestones must be strictly increasing");
        assertMessage(() -> new ExponentialDecay(optimizer, 0.5, 1.5), "ExponentialDecay: gamma=1.5 is invalid");
        assertMessage(() -> new NaturalExpDecay(optimizer, 0.5, 0.0), "NaturalExpDecay: gamma=0.0 is invalid");
        assertMessage(() -> new InverseTimeDecay(optimizer, 0.5, -0.1), "InverseTimeDecay: gamma=-0.1 is invalid");
        assertMessage(() -> new PolynomialDecay(optimizer, 0.5, 0), "PolynomialDecay: decay_steps=0 is invalid");
        assertMessage(() -> new PolynomialDecay(optimizer, 0.5, 10, 0.0, 0.0, false, -1),
                "PolynomialDecay: power=0.0 is invalid");
        assertMessage(() -> new PiecewiseDecay(optimizer, List.of(), List.of(0.1)),
                "PiecewiseDecay: boundaries=[] is invalid");
        assertMessage(() -> new PiecewiseDecay(optimizer, List.of(3, 6), List.of(0.1, 0.2)),
                "PiecewiseDecay: values=[0.1, 0.2] is invalid: expected at least len(boundaries) + 1 = 3 values");
        assertMessage(() -> new CosineAnnealingDecay(optimizer, 0.5, 0), "CosineAnnealingDecay: T_max=0 is invalid");
        assertMessage(() -> new LinearWarmup(optimizer, 0.1, 0, 0.0, 0.1), "LinearWarmup: warmup_steps=0 is invalid");
        assertMessage(() -> new LinearWarmup(optimizer, 0.1, 5, 0.1, 0.1),
                "LinearWarmup: end_lr=0.1 is invalid: end_lr must be greater than start_lr (0.1)");
        assertMessage(() -> new LinearWarmup(optimizer, 0.1, 5, -0.1, 0.1), "LinearWarmup: start_lr=-0.1 is invalid");
    }

    @Test
    void configKeysAreCheckedLikeTheTorchFamily() {
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "LinearWarmup", "learning_rate", 0.1,
                "warmup_step", 5, "start_lr", 0.0, "end_lr", 0.1)),
                "LinearWarmup: unknown key 'warmup_step'; did you mean 'warmup_steps'? accepted keys: name,"
                        + " learning_rate, warmup_steps, start_lr, end_lr, last_epoch, verbose, scheduler");
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "StepDecay", "learning_rate", 0.5,
                "step_size", 2.5)), "StepDecay: 'step_size' must be an integer, got 2.5 (float)");
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "StepDecay", "step_size", 2)),
                "StepDecay: missing required key 'learning_rate'");
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "StepDcay", "learning_rate", 0.5)),
                "unknown scheduler name 'StepDcay'; did you mean 'StepDecay'?");
    }

    @Test
    void linearWarmupNestsOnlyPaddleSchedulersAndOneOfLearningRateOrScheduler() {
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "LinearWarmup", "learning_rate",
                Map.of("name", "StepLR", "step_size", 3), "warmup_steps", 5, "start_lr", 0.0, "end_lr", 0.1)),
                "LinearWarmup: 'learning_rate' must be a number or a PaddlePaddle scheduler map");
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "LinearWarmup", "learning_rate", 0.1,
                "scheduler", Map.of("name", "StepDecay", "step_size", 3), "warmup_steps", 5, "start_lr", 0.0,
                "end_lr", 0.1)), "LinearWarmup: 'scheduler' must be absent when 'learning_rate' is given");
        assertMessage(() -> LRSchedulers.create(optimizer, Map.of("name", "LinearWarmup", "learning_rate",
                Map.of("name", "StepDecay", "learning_rate", 0.1, "step_size", 0), "warmup_steps", 5,
                "start_lr", 0.0, "end_lr", 0.1)), "LinearWarmup > learning_rate: StepDecay: step_size=0 is invalid");
    }

    @Test
    void verboseIsAcceptedAndIgnored() {
        LRScheduler s = LRSchedulers.create(optimizer, Map.of("name", "ExponentialDecay", "learning_rate", 0.5,
                "gamma", 0.9, "verbose", true));
        s.step();
        assertEquals(0.45, s.getLastLr()[0], 1e-17);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message was: " + ex.getMessage());
    }
}
