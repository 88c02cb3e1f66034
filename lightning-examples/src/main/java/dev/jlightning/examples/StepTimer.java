package dev.jlightning.examples;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.trainer.Trainer;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Mean wall time of a training batch (forward, backward, optimizer step and the batch's hooks) from
 * {@code on_train_batch_start} to {@code on_train_batch_end}, counted since the last {@link #reset()} (validation
 * batches are not counted). On CUDA the loss logged with {@code prog_bar} is read back every batch, which waits for the GPU, so the
 * times include the kernels.
 */
final class StepTimer implements Callback {

    private long started;
    private long total;
    private long count;

    @Override
    public void onTrainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        started = System.nanoTime();
    }

    @Override
    public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
            int batchIdx) {
        if (started != 0) {
            total += System.nanoTime() - started;
            count++;
            started = 0;
        }
    }

    /** Forgets the batches timed so far, e.g. those of the learning-rate finder. */
    void reset() {
        started = 0;
        total = 0;
        count = 0;
    }

    /** Microseconds per timed batch; NaN before any. */
    double microsPerStep() {
        return count == 0 ? Double.NaN : total / 1000.0 / count;
    }
}
