package dev.jlightning.testing;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import java.util.function.Function;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * A regression net with dropout (so LibTorch's generator matters) whose optimizers come from a function, for
 * checkpoint and resume tests. Logs {@code train_loss} per step and epoch and {@code val_loss} per epoch.
 */
public class ResumableNet extends LightningModule {

    public final LinearImpl fc1;
    public final LinearImpl fc2;
    private final Function<ResumableNet, Object> optimizers;

    public ResumableNet(int in, int hidden, Function<ResumableNet, Object> optimizers) {
        fc1 = register_module("fc1", new LinearImpl(in, hidden));
        fc2 = register_module("fc2", new LinearImpl(hidden, 1));
        this.optimizers = optimizers;
    }

    public Tensor forward(Tensor x) {
        return fc2.forward(dropout(relu(fc1.forward(x)), 0.2, is_training()));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = mse_loss(forward(batch.x()), batch.y());
        log("train_loss", loss, LogOptions.builder().onStep(true).onEpoch(true).build());
        return loss;
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        log("val_loss", mse_loss(forward(batch.x()), batch.y()));
    }

    @Override
    public Object configureOptimizers() {
        return optimizers.apply(this);
    }

    /** Every parameter element, in order, as doubles: equal arrays mean bit-identical float32 weights. */
    public double[] weights() {
        try (TensorVector params = parameters()) {
            int n = 0;
            for (long i = 0; i < params.size(); i++) {
                n += (int) params.get(i).numel();
            }
            double[] out = new double[n];
            int k = 0;
            for (long i = 0; i < params.size(); i++) {
                Tensor flat = params.get(i).detach().reshape(-1).contiguous();
                org.bytedeco.javacpp.FloatPointer p = new org.bytedeco.javacpp.FloatPointer(flat.data_ptr());
                for (long j = 0; j < flat.numel(); j++) {
                    out[k++] = p.get(j);
                }
                flat.close();
            }
            return out;
        }
    }
}
