package dev.jlightning.trainer;

import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.DataOrderGenerator;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.Data;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

/**
 * A training step of the bare Trainer allocates no more Java heap than a hand-written LibTorch loop doing the same
 * work, give or take 200 bytes: gather a shuffled batch (through batch views of one index tensor per epoch, as a
 * careful loop and the Trainer's DataLoader both do), forward, MSE, zero_grad, backward, SGD step, StepLR stepped
 * per batch (by hand in the loop, only when it changes the rate), read the loss.
 *
 * <p>Heap allocation per step is deterministic once the JIT has compiled the loop, so this holds on a busy machine
 * where timings do not; per-step garbage is what made the heap of a long default-flag run grow.
 */
class PerStepAllocationTest {

    private static final int WARMUP = 3000;
    private static final int MEASURED = 3000;
    private static final int BATCH = 32;
    private static final int STEP_SIZE = 1000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void bareTrainerStepAllocatesWithinTwoHundredBytesOfAHandWrittenLoop() {
        int samples = (WARMUP + MEASURED + 1) * BATCH;
        TensorDataset data = Data.regression(samples, 32, 3);
        double raw = rawLoop(data);
        double trainer = trainerLoop(data);
        String report = String.format(java.util.Locale.ROOT,
                "heap bytes per step: hand-written loop %.0f, Trainer %.0f", raw, trainer);
        System.out.println(report);
        assertTrue(trainer <= raw + 200, report);
    }

    /** The benchmark's MLP 32→64→1 with SGD (momentum 0.9) and StepLR stepped every batch. */
    static final class Net extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(32, 64));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 1));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = sgd(parameters());
            return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(new StepLR(sgd, STEP_SIZE, 0.5))
                    .interval(Interval.STEP).build());
        }
    }

    private static SGD sgd(TensorVector parameters) {
        SGDOptions options = new SGDOptions(0.01);
        options.momentum().put(0.9);
        return new SGD(parameters, options);
    }

    private static double rawLoop(TensorDataset data) {
        Net net = new Net();
        SGD sgd = sgd(net.parameters());
        int[] order = new DataOrderGenerator(3).permutation(data.size());
        long[] longs = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            longs[i] = order[i];
        }
        TensorVector batches;
        try (PointerScope scope = new PointerScope()) {
            batches = Tensor.create(longs).split(BATCH);
            batches.retainReference();
        }
        double lr = 0.01;
        long before = 0;
        for (int step = 0; step < WARMUP + MEASURED; step++) {
            if (step == WARMUP) {
                before = THREADS.getCurrentThreadAllocatedBytes();
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor index = batches.get(step);
                Tensor x = index_select(data.tensor(0), 0, index);
                Tensor y = index_select(data.tensor(1), 0, index);
                Tensor loss = mse_loss(net.fc2.forward(relu(net.fc1.forward(x))), y);
                sgd.zero_grad(true);
                loss.backward();
                sgd.step();
                if ((step + 1) % STEP_SIZE == 0) {
                    lr *= 0.5;
                    sgd.param_groups().get(0).options().set_lr(lr);
                }
                loss.item_double();
            }
        }
        double perStep = (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / MEASURED;
        batches.close();
        return perStep;
    }

    private static double trainerLoop(TensorDataset data) {
        long[] window = new long[2];
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchStart(Trainer t, LightningModule m, Batch b, int batchIdx) {
                if (t.globalStep() == WARMUP) {
                    window[0] = THREADS.getCurrentThreadAllocatedBytes();
                }
            }

            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int batchIdx) {
                if (t.globalStep() == WARMUP + MEASURED) {
                    window[1] = THREADS.getCurrentThreadAllocatedBytes();
                }
            }
        };
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH).shuffle(true).seed(3).build();
        Trainer.builder().accelerator("cpu").maxSteps(WARMUP + MEASURED).numSanityValSteps(0).logger(false)
                .callbacks(probe).build()
                .fit(new Net(), loader);
        return (double) (window[1] - window[0]) / MEASURED;
    }
}
