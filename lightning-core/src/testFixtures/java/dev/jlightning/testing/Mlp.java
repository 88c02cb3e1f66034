package dev.jlightning.testing;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/** A small regression MLP used across the Trainer tests: in -> hidden -> 1, MSE loss, SGD. */
public class Mlp extends LightningModule {

    public final LinearImpl fc1;
    public final LinearImpl fc2;
    protected final double lr;

    public Mlp(int in, int hidden, double lr) {
        fc1 = register_module("fc1", new LinearImpl(in, hidden));
        fc2 = register_module("fc2", new LinearImpl(hidden, 1));
        this.lr = lr;
    }

    public Tensor forward(Tensor x) {
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

    @Override
    public Object configureOptimizers() {
        return new SGD(parameters(), new SGDOptions(lr));
    }

    /** Sum of every parameter's elements, a cheap fingerprint of the weights. */
    public double weightChecksum() {
        double sum = 0;
        org.bytedeco.pytorch.TensorVector params = parameters();
        for (long i = 0; i < params.size(); i++) {
            sum += params.get(i).sum().item_double();
        }
        params.close();
        return sum;
    }
}
