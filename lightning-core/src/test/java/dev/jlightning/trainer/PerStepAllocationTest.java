package dev.jlightning.trainer;

import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.DataOrderGenerator;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A training step of the bare Trainer allocates no more Java heap than a hand-written LibTorch loop doing the same
 * work (gather a shuffled batch, forward, MSE, zero_grad, backward, SGD step, read the loss), give or take 200 bytes.
 *
 * <p>Heap allocation per step is deterministic once the JIT has compiled the loop, so this holds on a busy machine
 * where timings do not; per-step garbage is what made the heap of a long default-flag run grow.
 */
class PerStepAllocationTest {

    private static final int WARMUP = 3000;
    private static final int MEASURED = 3000;
    private static final int BATCH = 32;
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

    private static double rawLoop(TensorDataset data) {
        Mlp net = new Mlp(32, 64, 0.01);
        SGD sgd = new SGD(net.parameters(), new SGDOptions(0.01));
        int[] order = new DataOrderGenerator(3).permutation(data.size());
        long[] idx = new long[BATCH];
        long before = 0;
        for (int step = 0; step < WARMUP + MEASURED; step++) {
            if (step == WARMUP) {
                before = THREADS.getCurrentThreadAllocatedBytes();
            }
            try (PointerScope scope = new PointerScope()) {
                for (int i = 0; i < BATCH; i++) {
                    idx[i] = order[step * BATCH + i];
                }
                Tensor index = Tensor.create(idx);
                Tensor x = index_select(data.tensor(0), 0, index);
                Tensor y = index_select(data.tensor(1), 0, index);
                Tensor loss = mse_loss(net.forward(x), y);
                sgd.zero_grad(true);
                loss.backward();
                sgd.step();
                loss.item_double();
            }
        }
        return (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / MEASURED;
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
                .fit(new Mlp(32, 64, 0.01), loader);
        return (double) (window[1] - window[0]) / MEASURED;
    }
}
