package dev.jlightning.tuner;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.trainer.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Tensor;

/**
 * Records the learning rate before each step and the smoothed loss after it, and stops the search when the loss
 * diverges: Lightning's {@code _LRCallback}.
 *
 * <p>As in Lightning, only batches that end an accumulation window count; the loss is the one Lightning hands to
 * {@code on_train_batch_end} (divided by {@code accumulate_grad_batches}); it is smoothed with {@code beta} 0.98 and
 * bias-corrected with the Trainer's global step ({@code avg / (1 - beta^(global_step + 1))}, where the step is
 * already counted, which is Lightning's arithmetic); from the second step on, a smoothed loss above
 * {@code threshold * best} stops the search.
 */
final class SweepCallback implements Callback {

    private static final double BETA = 0.98;

    private final OptionalDouble earlyStopThreshold;
    private final int accumulate;
    private Optional<SweepScheduler> scheduler = Optional.empty();
    private final List<Double> lrs = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private double avgLoss;
    private double bestLoss;

    SweepCallback(OptionalDouble earlyStopThreshold, int accumulate) {
        this.earlyStopThreshold = earlyStopThreshold;
        this.accumulate = accumulate;
    }

    void scheduler(SweepScheduler scheduler) {
        this.scheduler = Optional.of(scheduler);
    }

    List<Double> lrs() {
        return lrs;
    }

    List<Double> losses() {
        return losses;
    }

    private boolean endsWindow(Trainer trainer) {
        return (trainer.batchIdx() + 1) % accumulate == 0;
    }

    @Override
    public void onTrainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        if (!endsWindow(trainer)) {
            return;
        }
        lrs.add(scheduler.orElseThrow().getLastLr()[0]);
    }

    @Override
    public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
            int batchIdx) {
        if (!endsWindow(trainer)) {
            return;
        }
        if (loss.isEmpty()) {
            // keeps lrs and losses aligned; NaN points are left out of the suggestion
            losses.add(Double.NaN);
            return;
        }
        // the loss Lightning passes on is float32 and already divided by accumulate_grad_batches
        double current = accumulate > 1 ? (float) (loss.get().item_double() / accumulate) : loss.get().item_double();
        long step = trainer.globalStep();
        avgLoss = BETA * avgLoss + (1 - BETA) * current;
        double smoothed = avgLoss / (1 - Math.pow(BETA, step + 1));
        if (earlyStopThreshold.isPresent() && step > 1 && smoothed > earlyStopThreshold.getAsDouble() * bestLoss) {
            trainer.shouldStop(true);
        }
        if (smoothed < bestLoss || step == 1) {
            bestLoss = smoothed;
        }
        losses.add(smoothed);
    }
}
