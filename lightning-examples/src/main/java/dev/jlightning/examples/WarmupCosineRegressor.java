package dev.jlightning.examples;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * The warmup + cosine tutorial's small regression network without {@code configureOptimizers()}: run from
 * {@code lightning-examples/config/warmup_cosine.yaml}, it takes its optimizer and scheduler from the config's
 * {@code optimizer} and {@code lr_scheduler} sections, as a Lightning module does under LightningCLI.
 * {@link WarmupCosineExample.CustomLRSchedulerExperiment} is this network with the tutorial's optimizers in Java.
 */
public class WarmupCosineRegressor extends LightningModule {
    final LinearImpl fc1;
    final LinearImpl fc2;

    /**
     * @param features inputs per sample
     * @param hidden width of the hidden layer
     */
    public WarmupCosineRegressor(int features, int hidden) {
        fc1 = register_module("fc1", new LinearImpl(features, hidden));
        fc2 = register_module("fc2", new LinearImpl(hidden, 1));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
        log("train_loss", loss);
        return loss;
    }
}
