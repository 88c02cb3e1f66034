package dev.jlightning.testing;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.StepLR;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.ones_like;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * Lightning's {@code BoringModel} for tests: one {@code Linear(32, 2)} layer, MSE of the output against ones,
 * {@code [SGD(lr=0.1)], [StepLR(step_size=1)]} (gamma 0.1, interval "epoch"), and {@link #data(int)} for
 * {@code RandomDataset(32, n)} with batch size 1. Nothing is logged unless a subclass logs.
 */
public class BoringModel extends LightningModule {

    public final LinearImpl layer;

    public BoringModel() {
        layer = register_module("layer", new LinearImpl(32, 2));
    }

    public Tensor forward(Tensor x) {
        return layer.forward(x);
    }

    /** Lightning's {@code BoringModel.loss}: MSE against a tensor of ones. */
    public Tensor loss(Tensor out) {
        return mse_loss(out, ones_like(out));
    }

    /** Lightning's {@code BoringModel.step}: forward then loss. */
    public Tensor step(Batch batch) {
        return loss(forward(batch.x()));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        return step(batch);
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        step(batch);
    }

    @Override
    public Object configureOptimizers() {
        SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
        return List.of(List.of(sgd), List.of(new StepLR(sgd, 1)));
    }

    /** {@code RandomDataset(32, samples)} with batch size 1: {@code samples} batches. */
    public static DataLoader data(int samples) {
        manual_seed(1234);
        try (PointerScope scope = new PointerScope()) {
            return DataLoader.builder(new TensorDataset(randn(samples, 32))).batchSize(1).build();
        }
    }
}
