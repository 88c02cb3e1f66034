package dev.jlightning.examples.schedulers;

import static org.bytedeco.pytorch.global.torch.ones;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.SequentialLR;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class CosineWarmupSchedulerTest {

    private static SGD sgd(double... lrs) {
        Optimizers.Builder<SGD> b = Optimizers.sgd(lrs[0]);
        for (double lr : lrs) {
            Tensor t = ones(3);
            t.requires_grad_(true);
            b.group(List.of(t), g -> g.lr(lr));
        }
        return b.build();
    }

    private static void close(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.max(Math.abs(expected), Math.abs(actual)),
                what + ": expected " + expected + " but was " + actual);
    }

    @Test
    void warmsUpLinearlyFromLastEpochPlusOneThenDecaysAlongTheCosine() {
        CosineWarmupScheduler s = new CosineWarmupScheduler(sgd(0.1), 5, 50, 0.001, -1);
        double[] warmup = {0.02, 0.04, 0.06, 0.08, 0.1};
        for (int t = 0; t < warmup.length; t++) {
            if (t > 0) {
                s.step();
            }
            close(warmup[t], s.getLastLr()[0], "warmup epoch " + t);
        }
        s.step(); // last_epoch 5: epoch 6 is the first cosine epoch
        close(0.001 + (0.1 - 0.001) * 0.5 * (1 + Math.cos(Math.PI * 1 / 45)), s.getLastLr()[0], "epoch 6");
        for (int t = 6; t < 50; t++) {
            s.step();
        }
        close(0.001, s.getLastLr()[0], "last_epoch 49, i.e. epoch 50 = total_epochs, reaches min_lr");
        assertEquals(49, s.lastEpoch());
    }

    @Test
    void everyGroupScalesItsOwnBaseLr() {
        CosineWarmupScheduler s = new CosineWarmupScheduler(sgd(0.1, 0.01), 2, 10);
        close(0.05, s.getLastLr()[0], "group 0");
        close(0.005, s.getLastLr()[1], "group 1");
        close(0.005, s.paramGroups().lr(1), "written into the optimizer");
    }

    @Test
    void stateDictRoundTripContinuesTheSchedule() {
        CosineWarmupScheduler a = new CosineWarmupScheduler(sgd(0.1), 3, 20);
        for (int i = 0; i < 7; i++) {
            a.step();
        }
        CosineWarmupScheduler b = new CosineWarmupScheduler(sgd(0.1), 3, 20);
        b.loadStateDict(a.stateDict());
        a.step();
        b.step();
        assertEquals(a.getLastLr()[0], b.getLastLr()[0]);
        assertEquals(a.lastEpoch(), b.lastEpoch());
    }

    @Test
    void composesWithBuiltInSchedulers() {
        SGD sgd = sgd(0.1);
        LRScheduler custom = new CosineWarmupScheduler(sgd, 2, 4);
        LRScheduler tail = LRSchedulers.create(sgd, Map.of("name", "ExponentialLR", "gamma", 0.5));
        SequentialLR s = new SequentialLR(sgd, List.of(custom, tail), List.of(4));
        close(0.05, s.getLastLr()[0], "warmup epoch 0");
    }

    @Test
    void rejectsAScheduleWithoutACosinePhase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CosineWarmupScheduler(sgd(0.1), 5, 5));
        assertTrue(e.getMessage().contains("total_epochs=5 is invalid"), e.getMessage());
    }
}
