package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.SGD;
import org.junit.jupiter.api.Test;

/** Numbers worked out by hand from PyTorch's formulas, one scheduler at a time. */
class SchedulerNumbersTest {

    @Test
    void stepLrDecaysEveryStepSizeEpochsInEveryGroup() {
        StepLR s = new StepLR(TestOptimizers.sgd(0.1, 0.01), 3, 0.5);
        double[][] expected = {{0.1, 0.01}, {0.1, 0.01}, {0.1, 0.01}, {0.05, 0.005}, {0.05, 0.005}, {0.05, 0.005},
            {0.025, 0.0025}};
        for (int t = 0; t < expected.length; t++) {
            if (t > 0) {
                s.step();
            }
            Expect.lrs(s, "epoch " + t, expected[t]);
            assertEquals(t, s.lastEpoch());
        }
        assertEquals(3, s.stepSize());
        assertEquals(0.1, new StepLR(TestOptimizers.sgd(1.0), 2).gamma(), "PyTorch's default gamma");
    }

    @Test
    void multiStepLrCountsARepeatedMilestoneTwice() {
        MultiStepLR s = new MultiStepLR(TestOptimizers.sgd(1.0), List.of(4, 2, 4), 0.1);
        Expect.trace(s, 1.0, 1.0, 0.1, 0.1, 0.1 * 0.1 * 0.1, 0.001);
        assertEquals(List.of(2, 4, 4), s.milestones());
    }

    @Test
    void constantLrLiftsTheFactorAtTotalIters() {
        Expect.trace(new ConstantLR(TestOptimizers.sgd(0.1), 0.5, 3), 0.05, 0.05, 0.05, 0.1, 0.1);
    }

    @Test
    void linearLrWarmsUpToTheBaseLr() {
        Expect.trace(new LinearLR(TestOptimizers.sgd(0.4), 0.25, 1.0, 3), 0.1, 0.2, 0.3, 0.4, 0.4);
    }

    @Test
    void exponentialLrMultipliesEveryEpoch() {
        Expect.trace(new ExponentialLR(TestOptimizers.sgd(1.0), 0.5), 1.0, 0.5, 0.25, 0.125);
    }

    @Test
    void polynomialLrReachesZeroAtTotalIters() {
        Expect.trace(new PolynomialLR(TestOptimizers.sgd(1.0), 4, 2.0), 1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0);
    }

    @Test
    void cosineAnnealingLrFollowsTheHalfCosineAndRisesAgainPastTMax() {
        double c = (1 + Math.cos(Math.PI / 4)) / 2;
        CosineAnnealingLR s = new CosineAnnealingLR(TestOptimizers.sgd(1.0), 4);
        Expect.trace(s, 1.0, c, 0.5, 1 - c, 0.0, 1 - c, 0.5, c, 1.0);
        CosineAnnealingLR withMin = new CosineAnnealingLR(TestOptimizers.sgd(1.0), 2, 0.2);
        Expect.trace(withMin, 1.0, 0.6, 0.2);
    }

    @Test
    void lambdaLrOneFunctionPerGroup() {
        List<IntToDoubleFunction> lambdas = List.of(e -> Math.pow(0.5, e), e -> e + 1);
        LambdaLR s = new LambdaLR(TestOptimizers.sgd(1.0, 0.5), lambdas);
        Expect.lrs(s, "epoch 0", 1.0, 0.5);
        s.step();
        Expect.lrs(s, "epoch 1", 0.5, 1.0);
        s.step();
        Expect.lrs(s, "epoch 2", 0.25, 1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LambdaLR(TestOptimizers.sgd(1.0, 0.5), List.of(x -> 1.0)));
        assertTrue(e.getMessage().contains("Expected 2 lr_lambdas, but got 1"), e.getMessage());
    }

    @Test
    void multiplicativeLrMultipliesTheCurrentLr() {
        Expect.trace(new MultiplicativeLR(TestOptimizers.sgd(1.0), e -> 0.9), 1.0, 0.9, 0.81, 0.729);
    }

    @Test
    void cosineAnnealingWarmRestartsGrowsThePeriodByTMult() {
        double c = (1 + Math.cos(Math.PI / 4)) / 2;
        CosineAnnealingWarmRestarts s = new CosineAnnealingWarmRestarts(TestOptimizers.sgd(1.0), 2, 2, 0.0);
        Expect.trace(s, 1.0, 0.5, 1.0, c, 0.5, 1 - c, 1.0);
        assertEquals(8, s.tI());
    }

    @Test
    @SuppressWarnings("deprecation")
    void cosineAnnealingWarmRestartsTakesFractionalEpochs() {
        CosineAnnealingWarmRestarts s = new CosineAnnealingWarmRestarts(TestOptimizers.sgd(1.0), 2, 2, 0.0);
        s.step(0.5);
        Expect.lrs(s, "epoch 0.5", (1 + Math.cos(Math.PI / 4)) / 2);
        s.step(2.5);
        assertEquals(2, s.lastEpoch());
        assertEquals(0.5, s.tCur());
        assertEquals(4, s.tI());
        Expect.lrs(s, "epoch 2.5", (1 + Math.cos(Math.PI * 0.5 / 4)) / 2);
        s.step();
        assertEquals(3, s.lastEpoch());
        assertEquals(1.5, s.tCur(), "step() after step(2.5) continues from T_cur + 1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(-1.0));
        assertTrue(e.getMessage().contains("Expected non-negative epoch, but got -1.0"), e.getMessage());
    }

    @Test
    @SuppressWarnings("deprecation")
    void cosineAnnealingWarmRestartsKeepsCPythonsLogRounding() {
        // int(math.log(243, 3)) is 4 in CPython: log(243) / log(3) = 4.999999999999999
        assertEquals(4, (int) (Math.log(243) / Math.log(3)));
        CosineAnnealingWarmRestarts s = new CosineAnnealingWarmRestarts(TestOptimizers.sgd(1.0), 1, 3, 0.0);
        s.step(121.0);
        assertEquals(81, s.tI());
        assertEquals(81.0, s.tCur());
        Expect.lrs(s, "epoch 121", 0.0);
    }

    @Test
    void cyclicLrTriangularCyclesLrUpAndMomentumDown() {
        SGD sgd = TestOptimizers.sgdMomentum(0.5, 0.3);
        CyclicLR s = CyclicLR.builder(sgd).baseLr(0.1).maxLr(1.0).stepSizeUp(2).build();
        double[] lrs = {0.1, 0.55, 1.0, 0.55, 0.1, 0.55};
        double[] momentum = {0.9, 0.85, 0.8, 0.85, 0.9, 0.85};
        for (int t = 0; t < lrs.length; t++) {
            if (t > 0) {
                s.step();
            }
            Expect.lrs(s, "iteration " + t, lrs[t]);
            Expect.close(momentum[t], s.paramGroups().momentum(0).getAsDouble(), "momentum at " + t);
        }
        assertEquals(4, s.cycleLength());
        assertEquals(0.1, s.baseLrs()[0], "base_lrs are CyclicLR's base_lr");
    }

    @Test
    void cyclicLrTriangular2HalvesTheAmplitudeAndCyclesAdamBeta1() {
        Adam adam = TestOptimizers.adam(0.3);
        CyclicLR s = CyclicLR.builder(adam).baseLr(0.1).maxLr(1.0).stepSizeUp(2).mode("triangular2")
                .baseMomentum(0.7).maxMomentum(0.9).build();
        Expect.close(0.9, s.paramGroups().momentum(0).getAsDouble(), "beta1 at start");
        Expect.close(0.999, s.paramGroups().beta2(0).getAsDouble(), "beta2 untouched");
        for (int t = 1; t <= 6; t++) {
            s.step();
        }
        Expect.lrs(s, "iteration 6, second cycle peak", 0.55);
        Expect.close(0.8, s.paramGroups().momentum(0).getAsDouble(), "beta1 at the second peak");
        Expect.close(0.999, s.paramGroups().beta2(0).getAsDouble(), "beta2 untouched");
    }

    @Test
    void cyclicLrCustomScaleFnPerIteration() {
        CyclicLR s = CyclicLR.builder(TestOptimizers.sgd(0.3)).baseLr(0.0).maxLr(1.0).stepSizeUp(1)
                .stepSizeDown(1).scaleFn(x -> 1.0 / (x + 1)).scaleMode("iterations").cycleMomentum(false).build();
        s.step();
        Expect.lrs(s, "iteration 1", 0.5);
        s.step();
        s.step();
        Expect.lrs(s, "iteration 3", 0.25);
    }

    @Test
    void oneCycleLrLinearPhasesMomentumAndTheEnd() {
        SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.5);
        OneCycleLR s = OneCycleLR.builder(sgd).maxLr(1.0).totalSteps(10).annealStrategy("linear").divFactor(10)
                .finalDivFactor(100).build();
        double[] lrs = {0.1, 0.55, 1.0, 1.0 + (0.001 - 1.0) * (1.0 / 7)};
        double[] momentum = {0.95, 0.9, 0.85, 0.85 + (0.95 - 0.85) * (1.0 / 7)};
        for (int t = 0; t < lrs.length; t++) {
            if (t > 0) {
                s.step();
            }
            Expect.lrs(s, "step " + t, lrs[t]);
            Expect.close(momentum[t], s.paramGroups().momentum(0).getAsDouble(), "momentum at " + t);
        }
        for (int t = 4; t <= 9; t++) {
            s.step();
        }
        Expect.lrs(s, "step 9", 0.001);
        s.step(); // PyTorch allows one step past the last one
        IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
        assertEquals("Tried to step 11 times. The specified number of total steps is 10", e.getMessage());
    }

    @Test
    void oneCycleLrCosThreePhaseFromEpochsAndStepsPerEpoch() {
        OneCycleLR s = OneCycleLR.builder(TestOptimizers.sgd(0.5)).maxLr(1.0).epochs(2).stepsPerEpoch(5)
                .pctStart(0.2).threePhase(true).divFactor(10).finalDivFactor(10).cycleMomentum(false).build();
        assertEquals(10, s.totalSteps());
        // phases end at steps 1, 2 and 9: up to max_lr, back to initial_lr, down to min_lr
        Expect.trace(s, 0.1, 1.0, 0.1, 0.01 + (0.1 - 0.01) / 2.0 * (Math.cos(Math.PI * (1.0 / 7)) + 1));
    }

    @Test
    void reduceLrOnPlateauWaitsPatienceThenReduces() {
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(TestOptimizers.sgd(1.0, 0.1)).factor(0.5).patience(1)
                .build();
        Expect.lrs(s, "created", 1.0, 0.1);
        double[] metrics = {10, 9, 9, 9, 9, 8};
        double[] lr0 = {1.0, 1.0, 1.0, 0.5, 0.5, 0.5};
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            Expect.close(lr0[i], s.getLastLr()[0], "after metric " + i);
        }
        Expect.lrs(s, "end", 0.5, 0.05);
        assertEquals(8.0, s.best());
        assertEquals(6, s.lastEpoch());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, s::step);
        assertTrue(e.getMessage().contains("needs the monitored metric"), e.getMessage());
    }

    @Test
    void reduceLrOnPlateauCooldownMinLrAndMaxAbs() {
        ReduceLROnPlateau s = ReduceLROnPlateau.builder(TestOptimizers.sgd(1.0, 1.0)).mode("max")
                .thresholdMode("abs").threshold(0.5).factor(0.1).patience(0).cooldown(1)
                .minLrs(List.of(0.3, 0.0)).build();
        s.step(1.0);
        s.step(1.4); // not above 1.0 + 0.5: bad, patience 0 -> reduce
        Expect.lrs(s, "first reduction", 0.3, 0.1);
        assertTrue(s.inCooldown());
        s.step(1.0); // cooldown swallows this bad epoch
        Expect.lrs(s, "in cooldown", 0.3, 0.1);
        s.step(1.0);
        Expect.lrs(s, "second reduction; group 0 is at min_lr already", 0.3, 0.010000000000000002);
    }

    @Test
    void sequentialLrSwitchesAtTheMilestoneThroughTheClosedForm() {
        SGD sgd = TestOptimizers.sgd(1.0);
        SequentialLR s = new SequentialLR(sgd,
                List.of(new ConstantLR(sgd, 0.1, 2), new ExponentialLR(sgd, 0.5)), List.of(3));
        Expect.trace(s, 0.1, 0.1, 1.0, 1.0, 0.5, 0.25);
        assertEquals(5, s.lastEpoch());
    }

    @Test
    void chainedSchedulerAppliesEveryChildEachStep() {
        SGD sgd = TestOptimizers.sgd(1.0);
        ChainedScheduler s = new ChainedScheduler(List.of(new ConstantLR(sgd, 0.1, 2), new ExponentialLR(sgd, 0.5)));
        // step 2: ConstantLR lifts its factor (x10), then ExponentialLR halves
        Expect.trace(s, 0.1, 0.05, 0.25, 0.125);
        assertEquals(3, s.lastEpoch());
    }

    @Test
    @SuppressWarnings("deprecation")
    void deprecatedStepWithEpochUsesTheClosedForm() {
        StepLR s = new StepLR(TestOptimizers.sgd(0.1), 3, 0.5);
        s.step(7.0);
        Expect.lrs(s, "epoch 7", 0.025);
        assertEquals(7, s.lastEpoch());
        s.step();
        Expect.lrs(s, "epoch 8 chained from there", 0.025);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(2.5));
        assertTrue(e.getMessage().contains("epoch=2.5 is invalid: expected an integral epoch"), e.getMessage());
        LambdaLR lambda = new LambdaLR(TestOptimizers.sgd(1.0), ep -> ep * 0.1);
        lambda.step(4.0);
        Expect.lrs(lambda, "no closed form: get_lr at epoch 4", 0.4);
    }

    @Test
    void resumingThroughTheConstructorNeedsInitialLr() {
        SGD fresh = TestOptimizers.sgd(0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepLR(fresh, 3, 0.5, 5));
        assertTrue(e.getMessage().contains("param 'initial_lr' is not specified in param_groups[0] when resuming an"
                + " optimizer"), e.getMessage());

        SGD sgd = TestOptimizers.sgd(0.1);
        new StepLR(sgd, 3, 0.5);
        sgd.param_groups().get(0).options().set_lr(0.05); // where an earlier run left it
        StepLR resumed = new StepLR(sgd, 3, 0.5, 5);
        assertEquals(6, resumed.lastEpoch());
        Expect.lrs(resumed, "the initial step lands on epoch 6, a multiple of step_size", 0.025);
        assertEquals(0.1, resumed.baseLrs()[0], "base_lrs come from initial_lr, not the current lr");
    }

    @Test
    void aSecondSchedulerKeepsTheFirstOnesInitialLr() {
        SGD sgd = TestOptimizers.sgd(1.0);
        new ExponentialLR(sgd, 0.5).step();
        LambdaLR second = new LambdaLR(sgd, e -> 1.0);
        assertEquals(1.0, second.baseLrs()[0], "initial_lr is set with setdefault");
    }
}
