package dev.jlightning.callbacks;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A linear regression module for callback tests: logs train_loss per step and val_loss per epoch; SGD + StepLR. */
class TinyNet extends LightningModule {

    final LinearImpl fc;

    TinyNet() {
        fc = register_module("fc", new LinearImpl(3, 1));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = torch.mse_loss(fc.forward(batch.x()), batch.y());
        log("train_loss", loss);
        return loss;
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        log("val_loss", torch.mse_loss(fc.forward(batch.x()), batch.y()));
    }

    @Override
    public Object configureOptimizers() {
        SGD sgd = dev.jlightning.optim.Optimizers.sgd(0.05).momentum(0.9).params(parameters()).build();
        return Map.of("optimizer", sgd, "lr_scheduler", new dev.jlightning.optim.StepLR(sgd, 1, 0.7));
    }

    /** {@code n} samples of y = x1 - 2 x2 + 0.5 x3 with noise, fixed by {@code seed}. */
    static DataLoader data(int n, int batchSize, long seed) {
        torch.manual_seed(seed);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.randn(n, 3);
            Tensor w = torch.tensor(new float[] {1f, -2f, 0.5f}).reshape(3, 1);
            Tensor y = x.matmul(w).add(torch.randn(n, 1).mul(new Scalar(0.3)));
            return DataLoader.builder(new TensorDataset(x, y)).batchSize(batchSize).shuffle(true).seed(seed).build();
        }
    }
}
