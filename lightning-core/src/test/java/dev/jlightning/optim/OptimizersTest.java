package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.RMSpropOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

class OptimizersTest {

    @Test
    void namedGroupsWithOwnOptionsOverDefaults() {
        Tensor w = TestOptimizers.param();
        Tensor b = TestOptimizers.param();
        SGD sgd = Optimizers.sgd(0.1).momentum(0.9)
                .group("weights", new TensorVector(w), g -> g.lr(0.01))
                .group("bias", new TensorVector(b))
                .build();
        ParamGroups groups = ParamGroups.of(sgd);
        assertEquals(2, groups.size());
        assertEquals(0.01, groups.lr(0));
        assertEquals(0.1, groups.lr(1));
        assertEquals(OptionalDouble.of(0.9), groups.momentum(0));
        assertEquals(OptionalDouble.of(0.9), groups.momentum(1));
        assertEquals(Optional.of("weights"), groups.name(0));
        assertEquals(Optional.of("bias"), groups.name(1));
        assertEquals(0.1, sgd.defaults().get_lr(), "the defaults keep the builder's lr");
        assertEquals(1, sgd.param_groups().get(1).params().size());
    }

    @Test
    void everySgdOptionReachesLibTorch() {
        SGD sgd = Optimizers.sgd(0.1).momentum(0.9).dampening(0.0).nesterov(true).weightDecay(1e-4)
                .params(List.of(TestOptimizers.param())).build();
        SGDOptions o = new SGDOptions(sgd.param_groups().get(0).options());
        assertEquals(0.9, o.momentum().get());
        assertTrue(o.nesterov().get());
        assertEquals(1e-4, o.weight_decay().get());
    }

    @Test
    void rmspropAndAdamOptions() {
        RMSpropOptions o = new RMSpropOptions(Optimizers.rmsprop(0.01).alpha(0.9).centered(true).momentum(0.5)
                .params(List.of(TestOptimizers.param())).build().param_groups().get(0).options());
        assertEquals(0.9, o.alpha().get());
        assertTrue(o.centered().get());
        assertEquals(0.5, o.momentum().get());
        Adam adam = Optimizers.adam().group("g", List.of(TestOptimizers.param()), g -> g.betas(0.5, 0.6).eps(1e-6))
                .build();
        ParamGroups groups = ParamGroups.of(adam);
        assertEquals(OptionalDouble.of(0.5), groups.momentum(0));
        assertEquals(OptionalDouble.of(0.6), groups.beta2(0));
        assertEquals(1e-3, groups.lr(0));
    }

    @Test
    void invalidValuesUsePyTorchsMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.sgd(-0.1).params(List.of(TestOptimizers.param())).build());
        assertTrue(e.getMessage().contains("Invalid learning rate: -0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(0.1).nesterov(true)
                .params(List.of(TestOptimizers.param())).build());
        assertTrue(e.getMessage().contains("Nesterov momentum requires a momentum and zero dampening"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.adam().group("head",
                List.of(TestOptimizers.param()), g -> g.betas(1.0, 0.999)).build());
        assertTrue(e.getMessage().contains("param group 0 ('head'): Invalid beta parameter at index 0: 1.0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(0.1).momentum(-1)
                .params(List.of(TestOptimizers.param())).build());
        assertTrue(e.getMessage().contains("Invalid momentum value: -1.0"), e.getMessage());
    }

    @Test
    void optionsTheOptimizerDoesNotHaveAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.sgd(0.1).betas(0.9, 0.99).params(List.of(TestOptimizers.param())).build());
        assertEquals("SGD: defaults: option 'betas' does not exist for SGD; its options are [lr, momentum,"
                + " dampening, weight_decay, nesterov]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.adagrad()
                .group(List.of(TestOptimizers.param()), g -> g.momentum(0.9)).build());
        assertTrue(e.getMessage().contains("option 'momentum' does not exist for Adagrad"), e.getMessage());
    }

    @Test
    void parameterListsAreChecked() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(0.1).build()).getMessage()
                .contains("empty parameter list"));
        Tensor p = TestOptimizers.param();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.sgd(0.1).group("a", List.of(p)).group("b", List.of(p)).build());
        assertTrue(e.getMessage().contains("param group 1 ('b'): some parameters appear in more than one parameter"
                + " group"), e.getMessage());
        Tensor nonLeaf = p.mul(new Tensor(TestOptimizers.param()));
        e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.sgd(0.1).params(List.of(nonLeaf)).build());
        assertTrue(e.getMessage().contains("can't optimize a non-leaf Tensor"), e.getMessage());
    }
}
