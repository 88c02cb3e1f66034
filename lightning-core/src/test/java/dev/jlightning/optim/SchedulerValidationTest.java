package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * PyTorch's invalid values, through {@link LRSchedulers#create} (the message names the scheduler, key and value) and
 * through the Java constructors.
 */
class SchedulerValidationTest {

    private static void rejected(Map<String, ?> config, String expectedMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LRSchedulers.create(TestOptimizers.sgdMomentum(0.9, 0.1, 0.01), config));
        assertEquals(expectedMessage, e.getMessage());
    }

    private static void rejectedContaining(Executable build, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void stepSizeBelowOne() {
        rejected(Map.of("name", "StepLR", "step_size", 0), "StepLR: step_size=0 is invalid: expected an integer >= 1");
        rejectedContaining(() -> new StepLR(TestOptimizers.sgd(0.1), -2), "step_size=-2");
    }

    @Test
    void tMaxBelowOne() {
        rejected(Map.of("name", "CosineAnnealingLR", "T_max", 0),
                "CosineAnnealingLR: T_max=0 is invalid: expected an integer >= 1");
    }

    @Test
    void warmRestartsT0AndTMult() {
        rejected(Map.of("name", "CosineAnnealingWarmRestarts", "T_0", 0),
                "CosineAnnealingWarmRestarts: T_0=0 is invalid: Expected positive integer T_0, but got 0");
        rejected(Map.of("name", "CosineAnnealingWarmRestarts", "T_0", 5, "T_mult", 0),
                "CosineAnnealingWarmRestarts: T_mult=0 is invalid: Expected integer T_mult >= 1, but got 0");
        rejected(Map.of("name", "CosineAnnealingWarmRestarts", "T_0", 5, "T_mult", 1.5),
                "CosineAnnealingWarmRestarts: 'T_mult' must be an integer, got 1.5 (float)");
    }

    @Test
    void plateauFactorModeThresholdModeMinLr() {
        rejected(Map.of("name", "ReduceLROnPlateau", "factor", 1.0),
                "ReduceLROnPlateau: factor=1.0 is invalid: Factor should be < 1.0.");
        rejected(Map.of("name", "ReduceLROnPlateau", "mode", "maximum"),
                "ReduceLROnPlateau: mode='maximum' is invalid: mode maximum is unknown! Expected 'min' or 'max'");
        rejected(Map.of("name", "ReduceLROnPlateau", "threshold_mode", "relative"), "ReduceLROnPlateau:"
                + " threshold_mode='relative' is invalid: threshold mode relative is unknown! Expected 'rel' or 'abs'");
        rejected(Map.of("name", "ReduceLROnPlateau", "min_lr", List.of(0.1)), "ReduceLROnPlateau: min_lr=[0.1] is"
                + " invalid: expected 2 min_lrs, got 1 (one per param group, or a single number)");
        rejected(Map.of("name", "ReduceLROnPlateau", "patience", -1),
                "ReduceLROnPlateau: patience=-1 is invalid: expected an integer >= 0");
    }

    @Test
    void linearLrFactors() {
        rejected(Map.of("name", "LinearLR", "start_factor", 0.0), "LinearLR: start_factor=0.0 is invalid: Starting"
                + " multiplicative factor expected to be greater than 0 and less or equal to 1.");
        rejected(Map.of("name", "LinearLR", "start_factor", 1.5), "LinearLR: start_factor=1.5 is invalid: Starting"
                + " multiplicative factor expected to be greater than 0 and less or equal to 1.");
        rejected(Map.of("name", "LinearLR", "end_factor", -0.1),
                "LinearLR: end_factor=-0.1 is invalid: Ending multiplicative factor expected to be between 0 and 1.");
        rejected(Map.of("name", "LinearLR", "total_iters", -1),
                "LinearLR: total_iters=-1 is invalid: expected an integer >= 0");
    }

    @Test
    void constantLrFactor() {
        rejected(Map.of("name", "ConstantLR", "factor", 1.5),
                "ConstantLR: factor=1.5 is invalid: Constant multiplicative factor expected to be between 0 and 1.");
    }

    @Test
    void oneCycleTotalStepsEpochsPctStartAnnealStrategy() {
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 0),
                "OneCycleLR: total_steps=0 is invalid: Expected positive integer total_steps, but got 0");
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "epochs", 0, "steps_per_epoch", 10),
                "OneCycleLR: epochs=0 is invalid: Expected positive integer epochs, but got 0");
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "epochs", 3, "steps_per_epoch", -1),
                "OneCycleLR: steps_per_epoch=-1 is invalid: Expected positive integer steps_per_epoch, but got -1");
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "epochs", 3), "OneCycleLR: You must define either"
                + " total_steps OR (epochs AND steps_per_epoch); got total_steps=None, epochs=3, steps_per_epoch=None");
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 10, "pct_start", 1.2),
                "OneCycleLR: pct_start=1.2 is invalid: Expected float between 0 and 1 pct_start, but got 1.2");
        rejected(Map.of("name", "OneCycleLR", "max_lr", 0.1, "total_steps", 10, "anneal_strategy", "cosine"),
                "OneCycleLR: anneal_strategy='cosine' is invalid: anneal_strategy must be one of 'cos' or 'linear',"
                        + " instead got cosine");
        rejected(Map.of("name", "OneCycleLR", "max_lr", List.of(0.1), "total_steps", 10),
                "OneCycleLR: max_lr=[0.1] is invalid: max_lr must have the same length as optimizer.param_groups."
                        + " max_lr has 1 values, param_groups has 2.");
    }

    @Test
    void momentumCyclingNeedsMomentumOrBetas() {
        rejectedContaining(() -> OneCycleLR.builder(TestOptimizers.adagrad(0.1)).maxLr(0.1).totalSteps(10).build(),
                "OneCycleLR: cycle_momentum=true is invalid: optimizer must support momentum or beta1 with"
                        + " `cycle_momentum` option enabled; Adagrad has neither");
        rejectedContaining(() -> CyclicLR.builder(TestOptimizers.adagrad(0.1)).baseLr(0.01).maxLr(0.1).build(),
                "CyclicLR: cycle_momentum=true is invalid");
    }

    @Test
    void cyclicModeStepSizesAndLists() {
        rejected(Map.of("name", "CyclicLR", "base_lr", 0.01, "max_lr", 0.1, "mode", "triangle"),
                "CyclicLR: mode='triangle' is invalid: mode is invalid and scale_fn is None; expected one of"
                        + " 'triangular', 'triangular2', 'exp_range'");
        rejected(Map.of("name", "CyclicLR", "base_lr", 0.01, "max_lr", 0.1, "step_size_up", 0),
                "CyclicLR: step_size_up=0 is invalid: expected an integer >= 1");
        rejected(Map.of("name", "CyclicLR", "base_lr", List.of(0.01, 0.02, 0.03), "max_lr", 0.1),
                "CyclicLR: base_lr=[0.01, 0.02, 0.03] is invalid: base_lr must have the same length as"
                        + " optimizer.param_groups. base_lr has 3 values, param_groups has 2.");
        rejected(Map.of("name", "CyclicLR", "base_lr", 0.01, "max_lr", 0.1, "scale_mode", "epoch",
                "scale_fn", "1.0"), "CyclicLR: scale_mode='epoch' is invalid: expected 'cycle' or 'iterations'");
    }

    @Test
    void rejectedCyclicLrLeavesTheOptimizerUntouched() {
        SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.1);
        assertThrows(IllegalArgumentException.class,
                () -> CyclicLR.builder(sgd).baseLr(0.01).maxLr(0.1).mode("nope").build());
        assertEquals(0.1, ParamGroups.of(sgd).lr(0));
        assertEquals(0.9, ParamGroups.of(sgd).momentum(0).getAsDouble());
    }

    @Test
    void sequentialLrMilestones() {
        Map<String, Object> exp = Map.of("name", "ExponentialLR", "gamma", 0.9);
        rejected(Map.of("name", "SequentialLR", "schedulers", List.of(exp, exp, exp), "milestones", List.of(5, 5)),
                "SequentialLR: milestones=[5, 5] is invalid: expected strictly increasing epochs (each one switches"
                        + " to the next scheduler)");
        rejected(Map.of("name", "SequentialLR", "schedulers", List.of(exp, exp, exp), "milestones", List.of(7, 3)),
                "SequentialLR: milestones=[7, 3] is invalid: expected strictly increasing epochs (each one switches"
                        + " to the next scheduler)");
        rejected(Map.of("name", "SequentialLR", "schedulers", List.of(exp, exp), "milestones", List.of(3, 6)),
                "SequentialLR: milestones=[3, 6] is invalid: Sequential Schedulers expects number of schedulers"
                        + " provided to be one more than the number of milestone points, but got number of schedulers"
                        + " 2 and the number of milestones to be equal to 2");
    }

    @Test
    void compositesRejectPlateauEmptyListsAndForeignOptimizers() {
        SGD sgd = TestOptimizers.sgd(0.1);
        SGD other = TestOptimizers.sgd(0.1);
        rejectedContaining(() -> new SequentialLR(sgd, List.of(), List.of()),
                "SequentialLR expects at least one scheduler, but got no scheduler.");
        rejectedContaining(() -> new ChainedScheduler(List.of(new ExponentialLR(sgd, 0.9),
                new ReduceLROnPlateau(sgd))), "ChainedScheduler does not support `ReduceLROnPlateau` scheduler",
                "at index 1");
        rejectedContaining(() -> new SequentialLR(sgd, List.of(new ExponentialLR(other, 0.9)), List.of()),
                "SequentialLR expects all schedulers to belong to the same optimizer",
                "ExponentialLR at index 0");
        rejectedContaining(() -> new ChainedScheduler(List.of()),
                "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.");
    }

    @Test
    void lastEpochBelowMinusOne() {
        rejected(Map.of("name", "ExponentialLR", "gamma", 0.9, "last_epoch", -2), "ExponentialLR: last_epoch=-2 is"
                + " invalid: expected -1 (start a new schedule) or the index of the last epoch done (>= 0)");
    }

    @Test
    void nonFiniteNumbers() {
        rejectedContaining(() -> new ExponentialLR(TestOptimizers.sgd(0.1), Double.NaN),
                "ExponentialLR: gamma=NaN is invalid: expected a finite number");
    }

    @Test
    void customSchedulerMustCallInitialStep() {
        class Forgetful extends LRScheduler {
            Forgetful() {
                super(TestOptimizers.sgd(0.1));
            }

            @Override
            protected double[] getLr() {
                return baseLrs();
            }
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Forgetful().step());
        assertEquals("Forgetful is not initialised: its constructor must end with initialStep()", e.getMessage());
    }
}
