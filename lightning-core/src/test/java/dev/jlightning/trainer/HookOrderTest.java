package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.testing.BoringModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-batch part of Lightning's {@code tests_pytorch/models/test_hooks.py::test_trainer_model_hook_system_fit}:
 * the order of callback and module hooks around one training batch, and the epoch scheduler's
 * {@code lr_scheduler_step(scheduler, None)} only on the epoch's last batch, before {@code on_train_batch_end}.
 * JLightning has no {@code forward}, {@code optimizer_zero_grad}, {@code backward}, {@code clip_gradients} or
 * {@code optimizer_step} hooks, so those entries of Lightning's list are left out.
 */
class HookOrderTest {

    @TempDir
    Path dir;

    @Test
    void trainerModelHookSystemFit() {
        List<String> called = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onTrainBatchStart(Trainer t, LightningModule m, Batch b, int i) {
                called.add("Callback.on_train_batch_start");
            }

            @Override
            public void onBeforeZeroGrad(Trainer t, LightningModule m, Optimizer o) {
                called.add("Callback.on_before_zero_grad");
            }

            @Override
            public void onBeforeBackward(Trainer t, LightningModule m, Tensor loss) {
                called.add("Callback.on_before_backward");
            }

            @Override
            public void onAfterBackward(Trainer t, LightningModule m) {
                called.add("Callback.on_after_backward");
            }

            @Override
            public void onBeforeOptimizerStep(Trainer t, LightningModule m, Optimizer o) {
                called.add("Callback.on_before_optimizer_step");
            }

            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                called.add("Callback.on_train_batch_end");
            }
        };
        BoringModel model = new BoringModel() {
            @Override
            public boolean onTrainBatchStart(Batch batch, int batchIdx) {
                called.add("on_train_batch_start");
                return true;
            }

            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                called.add("training_step");
                return super.trainingStep(batch, batchIdx);
            }

            @Override
            public void onBeforeZeroGrad(Optimizer optimizer) {
                called.add("on_before_zero_grad");
            }

            @Override
            public void onBeforeBackward(Tensor loss) {
                called.add("on_before_backward");
            }

            @Override
            public void onAfterBackward() {
                called.add("on_after_backward");
            }

            @Override
            public void onBeforeOptimizerStep(Optimizer optimizer) {
                called.add("on_before_optimizer_step");
            }

            @Override
            public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
                called.add("lr_scheduler_step(" + scheduler.getClass().getSimpleName() + ", "
                        + (metric.isPresent() ? metric.getAsDouble() : "None") + ")");
                super.lrSchedulerStep(scheduler, metric);
            }

            @Override
            public void onTrainBatchEnd(Optional<Tensor> loss, Batch batch, int batchIdx) {
                called.add("on_train_batch_end");
            }
        };
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false).maxEpochs(1).limitTrainBatches(2)
                .limitValBatches(0).callbacks(recorder).build().fit(model, BoringModel.data(64));
        List<String> batch = List.of("Callback.on_train_batch_start", "on_train_batch_start", "training_step",
                "Callback.on_before_zero_grad", "on_before_zero_grad", "Callback.on_before_backward",
                "on_before_backward", "Callback.on_after_backward", "on_after_backward",
                "Callback.on_before_optimizer_step", "on_before_optimizer_step");
        List<String> expected = new ArrayList<>(batch);
        expected.add("Callback.on_train_batch_end");
        expected.add("on_train_batch_end");
        expected.addAll(batch);
        expected.add("lr_scheduler_step(StepLR, None)");
        expected.add("Callback.on_train_batch_end");
        expected.add("on_train_batch_end");
        assertEquals(expected, called);
    }
}
