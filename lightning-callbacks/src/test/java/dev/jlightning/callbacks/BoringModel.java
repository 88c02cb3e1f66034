package dev.jlightning.callbacks;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.ones_like;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * Lightning's {@code BoringModel} for callback tests: {@code Linear(32, 2)} pulled towards ones with MSE and
 * SGD(lr=0.1), on random 32-feature samples. Validation runs (with nothing logged) unless a test logs in a hook.
 */
class BoringModel extends LightningModule {

    final LinearImpl layer;

    BoringModel() {
        layer = register_module("layer", new LinearImpl(32, 2));
    }

    Tensor loss(Batch batch) {
        Tensor out = layer.forward(batch.x());
        return mse_loss(out, ones_like(out));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        return loss(batch);
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        loss(batch);
    }

    @Override
    public Object configureOptimizers() {
        return new SGD(parameters(), new SGDOptions(0.1));
    }

    /** {@code samples} random 32-feature rows in batches of {@code batchSize}. */
    static DataLoader data(int samples, int batchSize) {
        try (PointerScope scope = new PointerScope()) {
            TensorDataset ds = new TensorDataset(randn(samples, 32));
            return DataLoader.builder(ds).batchSize(batchSize).build();
        }
    }
}
