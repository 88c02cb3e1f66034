package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.junit.jupiter.api.Test;

class ParamGroupsTest {

    @Test
    void readsAndWritesEachGroupsLearningRateIndependently() {
        SGD sgd = TestOptimizers.sgd(0.1, 0.01);
        ParamGroups groups = ParamGroups.of(sgd);
        assertEquals(2, groups.size());
        assertEquals(0.1, groups.lr(0));
        assertEquals(0.01, groups.lr(1));
        groups.setLr(1, 0.5);
        assertEquals(0.1, groups.lr(0));
        assertEquals(0.5, groups.lr(1));
        groups.setLrs(new double[] {0.2});
        assertEquals(0.2, groups.lr(0));
        assertEquals(0.5, groups.lr(1), "setLrs zips like PyTorch: a shorter array leaves later groups alone");
    }

    @Test
    void groupsAddedAfterTheFirstReadAreReadAndWritten() {
        SGD sgd = TestOptimizers.sgd(0.1);
        ParamGroups groups = ParamGroups.of(sgd);
        assertArrayEquals(new double[] {0.1}, groups.lrs());
        try (org.bytedeco.pytorch.TensorVector params = new org.bytedeco.pytorch.TensorVector(TestOptimizers.param());
                org.bytedeco.pytorch.OptimizerParamGroup group = new org.bytedeco.pytorch.OptimizerParamGroup(params)) {
            sgd.add_param_group(group);
        }
        sgd.param_groups().get(1).options().set_lr(0.3);
        assertArrayEquals(new double[] {0.1, 0.3}, groups.lrs(), "the second group is seen");
        assertEquals(2, groups.setLrs(new double[] {0.05, 0.07}));
        assertEquals(0.05, sgd.param_groups().get(0).options().get_lr());
        assertEquals(0.07, sgd.param_groups().get(1).options().get_lr(), "and written");
    }

    @Test
    void aSchedulerStepReachesAGroupAddedMidRun() {
        SGD sgd = TestOptimizers.sgd(0.1);
        StepLR scheduler = new StepLR(sgd, 2, 0.5);
        scheduler.step();
        try (org.bytedeco.pytorch.TensorVector params = new org.bytedeco.pytorch.TensorVector(TestOptimizers.param());
                org.bytedeco.pytorch.OptimizerParamGroup group = new org.bytedeco.pytorch.OptimizerParamGroup(params)) {
            sgd.add_param_group(group);
        }
        sgd.param_groups().get(1).options().set_lr(0.4);
        // PyTorch's StepLR at a multiple of step_size scales every group's current lr, the new one included
        scheduler.step();
        assertArrayEquals(new double[] {0.05, 0.2}, scheduler.getLastLr());
        assertEquals(0.2, sgd.param_groups().get(1).options().get_lr());
    }

    @Test
    void sgdMomentumIsTheMomentumOption() {
        SGD sgd = TestOptimizers.sgdMomentum(0.9, 0.1, 0.01);
        ParamGroups groups = ParamGroups.of(sgd);
        assertTrue(groups.hasMomentum());
        assertFalse(groups.hasBetas());
        assertEquals(OptionalDouble.of(0.9), groups.momentum(1));
        groups.setMomentum(1, 0.8);
        assertEquals(0.8, new SGDOptions(sgd.param_groups().get(1).options()).momentum().get());
        assertEquals(0.9, new SGDOptions(sgd.param_groups().get(0).options()).momentum().get());
        assertEquals(OptionalDouble.empty(), groups.beta2(0));
        assertEquals("SGD", groups.optimizerName());
    }

    @Test
    void adamMomentumIsBeta1WhateverTheTupleLayout() {
        Adam adam = Optimizers.adam(1e-3).betas(0.8, 0.95).params(List.of(TestOptimizers.param())).build();
        ParamGroups groups = ParamGroups.of(adam);
        assertTrue(groups.hasBetas());
        assertFalse(groups.hasMomentum());
        assertEquals(OptionalDouble.of(0.8), groups.momentum(0));
        assertEquals(OptionalDouble.of(0.95), groups.beta2(0));
        groups.setMomentum(0, 0.7);
        assertEquals(OptionalDouble.of(0.7), groups.momentum(0));
        assertEquals(OptionalDouble.of(0.95), groups.beta2(0), "setting beta1 keeps beta2, as (m, *betas[1:])");
        AdamOptions raw = new AdamOptions(adam.param_groups().get(0).options());
        double a = raw.betas().get(0);
        double b = raw.betas().get(1);
        assertTrue((a == 0.7 && b == 0.95) || (a == 0.95 && b == 0.7), "both slots hold the two betas: " + a + ", " + b);
    }

    @Test
    void rmspropHasMomentumAndAdagradHasNeither() {
        ParamGroups rms = ParamGroups.of(TestOptimizers.rmsprop(0.5, 0.01));
        assertEquals(OptionalDouble.of(0.5), rms.momentum(0));
        assertEquals("RMSprop", rms.optimizerName());
        ParamGroups adagrad = ParamGroups.of(TestOptimizers.adagrad(0.01));
        assertFalse(adagrad.hasMomentum());
        assertFalse(adagrad.hasBetas());
        assertEquals(OptionalDouble.empty(), adagrad.momentum(0));
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> adagrad.setMomentum(0, 0.9));
        assertTrue(e.getMessage().contains("Adagrad has neither momentum nor betas"), e.getMessage());
        assertEquals("Adagrad", adagrad.optimizerName());
    }

    @Test
    void weightDecayPerGroup() {
        SGD sgd = Optimizers.sgd(0.1).weightDecay(1e-4)
                .group("a", List.of(TestOptimizers.param()))
                .group("b", List.of(TestOptimizers.param()), g -> g.weightDecay(0.0))
                .build();
        ParamGroups groups = ParamGroups.of(sgd);
        assertEquals(1e-4, groups.weightDecay(0));
        assertEquals(0.0, groups.weightDecay(1));
        assertEquals(0.01, ParamGroups.of(TestOptimizers.adamW(1e-3)).weightDecay(0), "PyTorch's AdamW default");
    }

    @Test
    void namesAndExtrasLiveOutsideLibTorchPerOptimizer() {
        SGD a = TestOptimizers.sgd(0.1, 0.2);
        SGD b = TestOptimizers.sgd(0.1, 0.2);
        ParamGroups ga = ParamGroups.of(a);
        ga.setName(1, "bias");
        ga.setInitialLr(0, 0.1);
        assertEquals(Optional.of("bias"), ParamGroups.of(a).name(1), "a new view of the same optimizer sees them");
        assertEquals(Optional.empty(), ParamGroups.of(a).name(0));
        assertEquals(OptionalDouble.of(0.1), ParamGroups.of(a).initialLr(0));
        assertEquals(Optional.empty(), ParamGroups.of(b).name(1), "another optimizer does not");
        assertEquals(OptionalDouble.empty(), ParamGroups.of(b).initialLr(0));
    }

    @Test
    void extrasStateDictRoundTrips() {
        SGD a = TestOptimizers.sgd(0.1, 0.2);
        ParamGroups ga = ParamGroups.of(a);
        ga.setName(0, "weights");
        ga.setInitialLr(0, 0.1);
        ga.setExtra(1, "max_lr", 0.5);
        Map<String, Object> state = ga.extrasStateDict();
        SGD b = TestOptimizers.sgd(0.1, 0.2);
        ParamGroups gb = ParamGroups.of(b);
        gb.loadExtrasStateDict(state);
        assertEquals(Optional.of("weights"), gb.name(0));
        assertEquals(OptionalDouble.of(0.1), gb.initialLr(0));
        assertEquals(OptionalDouble.of(0.5), gb.extra(1, "max_lr"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gb.loadExtrasStateDict(Map.of("param_groups", "nope")));
        assertTrue(e.getMessage().contains("'param_groups' must be a list of maps"), e.getMessage());
    }

    @Test
    void badGroupIndexIsRejectedBeforeNativeCode() {
        ParamGroups groups = ParamGroups.of(TestOptimizers.sgd(0.1));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> groups.lr(1));
        assertEquals("param group 1 does not exist: SGD has 1 groups", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> groups.setLr(-1, 0.1));
        assertThrows(IndexOutOfBoundsException.class, () -> groups.name(3));
    }

    @Test
    void plainOptimizerWrapperIsRejected() {
        SGD sgd = TestOptimizers.sgd(0.1);
        Optimizer plain = new Optimizer(sgd);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(plain));
        assertTrue(e.getMessage().contains("is not supported: expected one of org.bytedeco.pytorch SGD, Adam, AdamW,"
                + " RMSprop, Adagrad, LBFGS"), e.getMessage());
    }
}
