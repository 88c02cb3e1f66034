package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.SGD;
import org.junit.jupiter.api.Test;

class LRSchedulersTest {

    private static IllegalArgumentException rejected(Map<String, ?> config) {
        return assertThrows(IllegalArgumentException.class,
                () -> LRSchedulers.create(TestOptimizers.sgdMomentum(0.9, 0.1, 0.01), config));
    }

    @Test
    void everyPyTorchNameIsRegistered() {
        assertTrue(LRSchedulers.names().containsAll(Set.of("LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
                "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR",
                "ChainedScheduler")));
    }

    @Test
    void everyPyTorchNameBuildsFromItsKeywords() {
        SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.1, 0.01);
        Map<String, Map<String, ?>> configs = Map.ofEntries(
                Map.entry("LambdaLR", Map.of("lr_lambda", "0.95 ** epoch")),
                Map.entry("MultiplicativeLR", Map.of("lr_lambda", List.of("0.9", "0.8"))),
                Map.entry("StepLR", Map.of("step_size", 3, "gamma", 0.5)),
                Map.entry("MultiStepLR", Map.of("milestones", List.of(2, 4))),
                Map.entry("ConstantLR", Map.of("factor", 0.5, "total_iters", 2)),
                Map.entry("LinearLR", Map.of("start_factor", 0.5)),
                Map.entry("ExponentialLR", Map.of("gamma", 0.9)),
                Map.entry("PolynomialLR", Map.of("total_iters", 4, "power", 2.0)),
                Map.entry("CosineAnnealingLR", Map.of("T_max", 10, "eta_min", 0.001)),
                Map.entry("CosineAnnealingWarmRestarts", Map.of("T_0", 5, "T_mult", 2)),
                Map.entry("CyclicLR", Map.of("base_lr", 0.01, "max_lr", List.of(0.1, 0.05), "step_size_up", 3,
                        "scale_fn", "1 / (2.0 ** (x - 1))")),
                Map.entry("OneCycleLR", Map.of("max_lr", 0.1, "total_steps", 100, "anneal_strategy", "cos")),
                Map.entry("ReduceLROnPlateau", Map.of("mode", "max", "patience", 2)),
                Map.entry("SequentialLR", Map.of("schedulers", List.of(
                        Map.of("name", "LinearLR", "start_factor", 0.1, "total_iters", 3),
                        Map.of("name", "ExponentialLR", "gamma", 0.9)), "milestones", List.of(3))),
                Map.entry("ChainedScheduler", Map.of("schedulers", List.of(
                        Map.of("name", "ConstantLR", "factor", 0.5),
                        Map.of("name", "ExponentialLR", "gamma", 0.9)))));
        for (Map.Entry<String, Map<String, ?>> e : configs.entrySet()) {
            Map<String, Object> config = new java.util.HashMap<>(e.getValue());
            config.put("name", e.getKey());
            LRScheduler s = LRSchedulers.create(sgd, config);
            assertEquals(e.getKey(), s.getClass().getSimpleName());
            assertEquals(2, s.getLastLr().length);
        }
    }

    @Test
    void formulasAreLambdasWithPythonIntSemantics() {
        LRScheduler s = LRSchedulers.create(TestOptimizers.sgd(1.0, 1.0),
                Map.of("name", "LambdaLR", "lr_lambda", List.of("epoch // 3", "min(1.0, (epoch + 1) / 5)")));
        Expect.lrs(s, "epoch 0", 0.0, 0.2);
        for (int i = 0; i < 4; i++) {
            s.step();
        }
        Expect.lrs(s, "epoch 4", 1.0, 1.0);
    }

    @Test
    void misspelledKeyNamesTheClosestAndListsAll() {
        assertEquals("StepLR: unknown key 'step_sise'; did you mean 'step_size'? accepted keys: name, step_size,"
                + " gamma, last_epoch", rejected(Map.of("name", "StepLR", "step_sise", 3)).getMessage());
        assertEquals("OneCycleLR: unknown key 'verbose'; accepted keys: name, max_lr, total_steps, epochs,"
                + " steps_per_epoch, pct_start, anneal_strategy, cycle_momentum, base_momentum, max_momentum,"
                + " div_factor, final_div_factor, three_phase, last_epoch",
                rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 5, "verbose", true)).getMessage());
        assertTrue(rejected(Map.of("name", "CosineAnnealingLR", "t_max", 10)).getMessage()
                .contains("did you mean 'T_max'?"));
    }

    @Test
    void unknownOrMissingName() {
        assertEquals("unknown scheduler name 'StepLr'; did you mean 'StepLR'? accepted names: "
                + String.join(", ", LRSchedulers.names()), rejected(Map.of("name", "StepLr")).getMessage());
        assertTrue(rejected(Map.of("step_size", 3)).getMessage()
                .startsWith("scheduler config needs a \"name\" with the class name, got none; accepted names: "));
    }

    @Test
    void wrongTypesAndMissingKeys() {
        assertEquals("StepLR: 'step_size' must be an integer, got '3' (str)",
                rejected(Map.of("name", "StepLR", "step_size", "3")).getMessage());
        assertEquals("StepLR: 'step_size' must be an integer, got 3.0 (float)",
                rejected(Map.of("name", "StepLR", "step_size", 3.0)).getMessage());
        assertEquals("StepLR: missing required key 'step_size'; accepted keys: name, step_size, gamma, last_epoch",
                rejected(Map.of("name", "StepLR")).getMessage());
        assertEquals("ExponentialLR: 'gamma' must be a number, got true (bool)",
                rejected(Map.of("name", "ExponentialLR", "gamma", true)).getMessage());
        assertEquals("OneCycleLR: 'three_phase' must be a boolean (true or false), got 'yes' (str)",
                rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 5, "three_phase", "yes"))
                        .getMessage());
        assertEquals("MultiStepLR: 'milestones[1]' must be an integer, got 'x' (str)",
                rejected(Map.of("name", "MultiStepLR", "milestones", List.of(1, "x"))).getMessage());
    }

    @Test
    void badFormulaIsReportedWithItsKey() {
        IllegalArgumentException e = rejected(Map.of("name", "LambdaLR", "lr_lambda", "0.95 ** epch"));
        assertTrue(e.getMessage().startsWith("LambdaLR: 'lr_lambda' is not a valid formula: "), e.getMessage());
        assertTrue(e.getMessage().contains("epch"), e.getMessage());
        assertEquals("LambdaLR: 'lr_lambda' must be a formula string in 'epoch', e.g. \"0.95 ** epoch\", got 0.5"
                + " (float)", rejected(Map.of("name", "LambdaLR", "lr_lambda", 0.5)).getMessage());
    }

    @Test
    void nestedErrorsSayWhereTheyAre() {
        Map<String, Object> bad = Map.of("name", "StepLR", "step_size", 0);
        Map<String, Object> good = Map.of("name", "ExponentialLR", "gamma", 0.9);
        assertEquals("SequentialLR > schedulers[1]: StepLR: step_size=0 is invalid: expected an integer >= 1",
                rejected(Map.of("name", "SequentialLR", "schedulers", List.of(good, bad), "milestones", List.of(2)))
                        .getMessage());
        assertEquals("ChainedScheduler > schedulers[0] (StepLR): unknown key 'gama'; did you mean 'gamma'? accepted"
                + " keys: name, step_size, gamma, last_epoch", rejected(Map.of("name", "ChainedScheduler",
                "schedulers", List.of(Map.of("name", "StepLR", "step_size", 2, "gama", 0.5)))).getMessage());
        assertEquals("SequentialLR: 'schedulers' must be a non-empty list of scheduler maps, each with a \"name\","
                + " got [] (list)", rejected(Map.of("name", "SequentialLR", "schedulers", List.of(),
                "milestones", List.of())).getMessage());
    }

    @Test
    void yamlAndJsonTextBuildTheSameScheduler() {
        Adam adam = TestOptimizers.adam(0.001);
        LRScheduler fromYaml = LRSchedulers.fromYaml(adam, String.join("\n",
                "name: OneCycleLR",
                "max_lr: 0.1",
                "total_steps: 100",
                "anneal_strategy: linear",
                "base_momentum: 0.8"));
        OneCycleLR oneCycle = assertInstanceOf(OneCycleLR.class, fromYaml);
        assertEquals(100, oneCycle.totalSteps());
        assertEquals("linear", oneCycle.annealStrategy());
        LRScheduler fromJson = LRSchedulers.fromJson(TestOptimizers.sgd(0.1), "{\"lr_scheduler\": {\"name\":"
                + " \"SequentialLR\", \"milestones\": [5], \"schedulers\": [{\"name\": \"LinearLR\", \"start_factor\":"
                + " 0.1, \"total_iters\": 5}, {\"name\": \"CosineAnnealingLR\", \"T_max\": 20}]}}");
        SequentialLR seq = assertInstanceOf(SequentialLR.class, fromJson);
        assertEquals(List.of(5), seq.milestones());
        Expect.lrs(seq, "warmup start", 0.010000000000000002);
        LRScheduler wrapped = LRSchedulers.fromYaml(TestOptimizers.sgd(0.1),
                "lr_scheduler:\n  name: MultiStepLR\n  milestones: [300, 400]\n  gamma: 0.1\n");
        assertEquals(List.of(300, 400), ((MultiStepLR) wrapped).milestones());
    }

    @Test
    void malformedTextIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LRSchedulers.fromJson(TestOptimizers.sgd(0.1), "{\"name\": \"StepLR\", "));
        assertTrue(e.getMessage().startsWith("scheduler JSON cannot be parsed: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LRSchedulers.fromYaml(TestOptimizers.sgd(0.1), "- 1"));
        assertEquals("scheduler YAML must be a mapping with a \"name\", got ArrayList", e.getMessage());
    }
}
