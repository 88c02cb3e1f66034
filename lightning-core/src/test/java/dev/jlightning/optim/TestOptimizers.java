package dev.jlightning.optim;

import static org.bytedeco.pytorch.global.torch.ones;

import java.util.List;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.RMSprop;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;

/** Small real LibTorch optimizers for scheduler tests: one tiny leaf tensor per param group. */
final class TestOptimizers {
    private TestOptimizers() {
    }

    static Tensor param() {
        Tensor t = ones(2);
        t.requires_grad_(true);
        return t;
    }

    /** SGD with one group per lr, momentum 0. */
    static SGD sgd(double... lrs) {
        Optimizers.Builder<SGD> b = Optimizers.sgd(lrs[0]);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }

    /** SGD with one group per lr and the given momentum. */
    static SGD sgdMomentum(double momentum, double... lrs) {
        Optimizers.Builder<SGD> b = Optimizers.sgd(lrs[0]).momentum(momentum);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }

    static Adam adam(double... lrs) {
        Optimizers.Builder<Adam> b = Optimizers.adam(lrs[0]);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }

    static AdamW adamW(double... lrs) {
        Optimizers.Builder<AdamW> b = Optimizers.adamW(lrs[0]);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }

    static RMSprop rmsprop(double momentum, double... lrs) {
        Optimizers.Builder<RMSprop> b = Optimizers.rmsprop(lrs[0]).momentum(momentum);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }

    static Adagrad adagrad(double... lrs) {
        Optimizers.Builder<Adagrad> b = Optimizers.adagrad(lrs[0]);
        for (double lr : lrs) {
            b.group(List.of(param()), g -> g.lr(lr));
        }
        return b.build();
    }
}
