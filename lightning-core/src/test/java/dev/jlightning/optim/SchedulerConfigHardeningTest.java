package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jlightning.testing.LogCapture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.SGD;
import org.junit.jupiter.api.Test;

/**
 * Scheduler configurations and states that PyTorch refuses (or that no config file should hold) are refused with a
 * message naming the key, and a refused configuration leaves the optimizer exactly as it was; values PyTorch accepts
 * but that make a schedule produce unusable learning rates are accepted with one warning.
 */
class SchedulerConfigHardeningTest {

    private static IllegalArgumentException refused(SGD sgd, Map<String, ?> config) {
        return assertThrows(IllegalArgumentException.class, () -> LRSchedulers.create(sgd, config));
    }

    @Test
    void divisionsByZeroThatPyTorchRaisesAreRefusedAtConstruction() {
        SGD sgd = TestOptimizers.sgd(0.1);
        assertTrue(refused(sgd, Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 30, "div_factor", 0))
                .getMessage().contains("div_factor=0.0 is invalid"));
        assertTrue(refused(sgd, Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 30,
                "final_div_factor", 0)).getMessage().contains("final_div_factor=0.0 is invalid"));
        assertTrue(refused(sgd, Map.of("name", "PolynomialLR", "total_iters", 4, "power", -1)).getMessage()
                .contains("power=-1.0 is invalid"));
    }

    @Test
    void valuesPyTorchAcceptsAreAcceptedAndAnUnusableLrIsReportedOnce() {
        SGD sgd = TestOptimizers.sgd(0.1);
        try (LogCapture log = LogCapture.capture()) {
            LRScheduler s = LRSchedulers.create(sgd, Map.of("name", "ExponentialLR", "gamma", -0.5));
            s.step();
            s.step();
            assertEquals(0.025, s.getLastLr()[0], 1e-15);
            assertEquals(1, log.matching("negative, NaN or infinite").size(), String.valueOf(log.warnings()));
        }
    }

    @Test
    void loadStateDictAppliesTheConstructorsChecksAndChangesNothingWhenItRefuses() {
        SGD sgd = TestOptimizers.sgd(0.1);
        StepLR s = new StepLR(sgd, 2, 0.5);
        Map<String, Object> before = s.stateDict();
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("gamma", Double.NaN),
                Map.of("base_lrs", List.of(0.1, 0.1, 0.1)), Map.of("last_epoch", -100),
                Map.of("_step_count", -1), Map.of("base_lrs", List.of(Double.POSITIVE_INFINITY)))) {
            assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(new LinkedHashMap<>(bad)), bad::toString);
        }
        assertEquals(before, s.stateDict());
        OneCycleLR one = OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(10).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> one.loadStateDict(new LinkedHashMap<>(Map.of("total_steps", -1))));
        assertTrue(e.getMessage().contains("total_steps=-1 is invalid"), e.getMessage());
    }

    @Test
    void configNestingIsLimited() {
        SGD sgd = TestOptimizers.sgd(0.1);
        Map<String, Object> config = Map.of("name", "ExponentialLR", "gamma", 0.9);
        for (int i = 0; i < 3000; i++) {
            config = Map.of("name", "ChainedScheduler", "schedulers", List.of(config));
        }
        IllegalArgumentException e = refused(sgd, config);
        assertTrue(e.getMessage().contains("nest more than 32 levels deep"), e.getMessage());
        assertArrayEquals(new double[] {0.1}, ParamGroups.of(sgd).lrs());
    }

    @Test
    void aNestedWarmupSchedulerWithoutNameIsRefusedWithAMessage() {
        SGD sgd = TestOptimizers.sgd(0.1);
        IllegalArgumentException e = refused(sgd, Map.of("name", "LinearWarmup", "warmup_steps", 2, "start_lr", 0.0,
                "end_lr", 0.1, "scheduler", Map.of("T_max", 5)));
        assertTrue(e.getMessage().contains("LinearWarmup") && e.getMessage().contains("scheduler"), e.getMessage());
    }

    @Test
    void textWithASecondDocumentOrTrailingGarbageIsRefused() {
        SGD sgd = TestOptimizers.sgd(0.1);
        assertThrows(IllegalArgumentException.class, () -> LRSchedulers.fromYaml(sgd,
                "name: StepLR\nstep_size: 2\n---\nname: ExponentialLR\ngamma: 0.5\n"));
        assertThrows(IllegalArgumentException.class, () -> LRSchedulers.fromJson(sgd,
                "{\"name\": \"StepLR\", \"step_size\": 2} garbage"));
        assertNotNull(LRSchedulers.fromYaml(sgd, "name: StepLR\nstep_size: 2\n"));
        assertNotNull(LRSchedulers.fromJson(sgd, "{\"name\": \"StepLR\", \"step_size\": 2}\n"));
    }

    private static final Object[] VALUES = {0, 1, 2, 3, 10, -1, -100, 0.5, 0.0, -0.5, 1.5, Double.NaN, Double.POSITIVE_INFINITY,
        1e308, Integer.MAX_VALUE, Long.MAX_VALUE, "x", "", "epoch // 2", "0.9 ** epoch", "(((", "\u0663",
        "cos", "linear", "triangular", "triangular2", "exp_range", "cycle", "iterations", true, false, null,
        List.of(), List.of(1, 2), List.of(2, 1), List.of(0.1, 0.2), List.of("x"),
        List.of(Map.of("name", "ExponentialLR", "gamma", 0.9)), Map.of(), Map.of("name", "StepDecay",
                "learning_rate", 0.1, "step_size", 2), Map.of("T_max", 5)};

    private static final List<Map<String, Object>> VALID = List.of(
            Map.of("name", "StepLR", "step_size", 2, "gamma", 0.5),
            Map.of("name", "ExponentialLR", "gamma", 0.9),
            Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 30),
            Map.of("name", "CyclicLR", "base_lr", 0.01, "max_lr", 0.1, "step_size_up", 3),
            Map.of("name", "CosineAnnealingWarmRestarts", "T_0", 3, "T_mult", 2),
            Map.of("name", "LambdaLR", "lr_lambda", "0.9 ** epoch"),
            Map.of("name", "PolynomialLR", "total_iters", 4, "power", 2.0),
            Map.of("name", "ReduceLROnPlateau", "mode", "min", "patience", 1),
            Map.of("name", "SequentialLR", "milestones", List.of(2), "schedulers", List.of(
                    Map.of("name", "ConstantLR", "factor", 0.5, "total_iters", 2),
                    Map.of("name", "ExponentialLR", "gamma", 0.9))),
            Map.of("name", "LinearWarmup", "warmup_steps", 2, "start_lr", 0.0, "end_lr", 0.1, "learning_rate",
                    Map.of("name", "CosineAnnealingDecay", "learning_rate", 0.1, "T_max", 5)));

    @Test
    void randomConfigMapsAreBuiltOrRefusedWithoutChangingTheOptimizer() {
        List<String> names = new ArrayList<>(LRSchedulers.names());
        String[] keys = {"step_size", "gamma", "milestones", "factor", "total_iters", "start_factor", "end_factor",
            "power", "T_max", "eta_min", "T_0", "T_mult", "base_lr", "max_lr", "step_size_up", "step_size_down",
            "mode", "scale_fn", "scale_mode", "cycle_momentum", "total_steps", "epochs", "steps_per_epoch",
            "pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase", "lr_lambda",
            "last_epoch", "schedulers", "learning_rate", "warmup_steps", "start_lr", "end_lr", "scheduler",
            "boundaries", "values", "decay_steps", "cycle", "base_momentum", "max_momentum", "bogus"};
        Random random = new Random(20261205L);
        int built = 0;
        for (int n = 0; n < 1500; n++) {
            SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.1);
            Map<String, Object> config = new LinkedHashMap<>();
            if (random.nextBoolean()) {
                config.put("name", names.get(random.nextInt(names.size())));
            } else {
                // a valid config with one or two keys rewritten reaches the checks deeper inside
                config.putAll(VALID.get(random.nextInt(VALID.size())));
            }
            if (config.size() > 1) {
                List<String> own = new ArrayList<>(config.keySet());
                own.remove("name");
                for (int k = random.nextInt(3); k > 0; k--) {
                    config.put(own.get(random.nextInt(own.size())), VALUES[random.nextInt(VALUES.length)]);
                }
            } else {
                for (int k = random.nextInt(6); k > 0; k--) {
                    config.put(keys[random.nextInt(keys.length)], VALUES[random.nextInt(VALUES.length)]);
                }
            }
            ParamGroups g = ParamGroups.of(sgd);
            double[] lrs = g.lrs();
            double momentum = g.momentum(0).getAsDouble();
            Map<String, Object> extras = g.extrasStateDict();
            LRScheduler s;
            try {
                s = LRSchedulers.create(sgd, config);
            } catch (IllegalArgumentException e) {
                assertNotNull(e.getMessage(), config::toString);
                assertArrayEquals(lrs, g.lrs(), () -> "lr changed by refused " + config);
                assertEquals(momentum, g.momentum(0).getAsDouble(), () -> "momentum changed by refused " + config);
                assertEquals(extras, g.extrasStateDict(), () -> "extras changed by refused " + config);
                continue;
            } catch (Throwable t) {
                fail(config + " threw " + t);
                return;
            }
            built++;
            for (int i = 0; i < 5; i++) {
                try {
                    if (s instanceof ReduceLROnPlateau plateau) {
                        plateau.step(1.0);
                    } else {
                        s.step();
                    }
                } catch (ArithmeticException e) {
                    break; // a formula raising ZeroDivisionError, as PyTorch's lambda would
                } catch (IllegalStateException e) {
                    // OneCycleLR stepped past total_steps: PyTorch's ValueError
                    assertTrue(e.getMessage().startsWith("Tried to step"), config + ": " + e);
                    break;
                } catch (Throwable t) {
                    fail(config + " stepped into " + t);
                }
            }
        }
        assertTrue(built > 150, "only " + built + " random configs were valid");
    }

    private static void stepOnce(LRScheduler s) {
        if (s instanceof ReduceLROnPlateau plateau) {
            plateau.step(1.0);
        } else {
            s.step();
        }
    }

    @Test
    void randomStateDictRewritesAreTakenOrRefusedAndSteppingStaysWellDefined() {
        Random random = new Random(20261206L);
        int taken = 0;
        for (int n = 0; n < 1500; n++) {
            SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.1);
            Map<String, Object> config = VALID.get(random.nextInt(VALID.size()));
            LRScheduler s = LRSchedulers.create(sgd, config);
            stepOnce(s);
            Map<String, Object> state = new LinkedHashMap<>(s.stateDict());
            List<String> keys = new ArrayList<>(state.keySet());
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                state.put(keys.get(random.nextInt(keys.size())), VALUES[random.nextInt(VALUES.length)]);
            }
            try {
                s.loadStateDict(state);
            } catch (IllegalArgumentException e) {
                assertNotNull(e.getMessage(), state::toString);
                continue;
            } catch (Throwable t) {
                fail(config.get("name") + " loading " + state + " threw " + t);
                return;
            }
            taken++;
            for (int i = 0; i < 5; i++) {
                try {
                    stepOnce(s);
                    assertEquals(ParamGroups.of(sgd).size(), s.getLastLr().length);
                } catch (ArithmeticException e) {
                    break;
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage().startsWith("Tried to step"), config + " " + state + ": " + e);
                    break;
                } catch (Throwable t) {
                    fail(config.get("name") + " after loading " + state + " stepped into " + t);
                }
            }
        }
        assertTrue(taken > 100, "only " + taken + " rewritten states were taken");
    }
}
