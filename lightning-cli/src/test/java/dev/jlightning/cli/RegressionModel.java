package dev.jlightning.cli;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/** A regression MLP bound by a record, without configureOptimizers: the CLI's optimizer sections apply to it. */
public class RegressionModel extends LightningModule {
    final LinearImpl fc1;
    final LinearImpl fc2;

    /** The init_args: in -> hidden -> 1. */
    public record Config(int in, int hidden, String activation) {
        public static Config defaults() {
            return new Config(4, 16, "relu");
        }
    }

    public RegressionModel(Config config) {
        if (!"relu".equals(config.activation()) && !"identity".equals(config.activation())) {
            throw new IllegalArgumentException("activation must be relu or identity, got " + config.activation());
        }
        fc1 = register_module("fc1", new LinearImpl(config.in(), config.hidden()));
        fc2 = register_module("fc2", new LinearImpl(config.hidden(), 1));
    }

    Tensor forward(Tensor x) {
        return fc2.forward(relu(fc1.forward(x)));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = mse_loss(forward(batch.x()), batch.y());
        log("train_loss", loss);
        return loss;
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        log("val_loss", mse_loss(forward(batch.x()), batch.y()));
    }

    @Override
    public void testStep(Batch batch, int batchIdx) {
        log("test_loss", mse_loss(forward(batch.x()), batch.y()));
    }

    @Override
    public Tensor predictStep(Batch batch, int batchIdx) {
        return forward(batch.x());
    }
}
