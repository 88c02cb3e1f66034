package dev.jlightning.testing;

import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

/** Synthetic regression data for tests: y = sum(x) * 0.5 + 1 + small noise, generated from a fixed seed. */
public final class Data {

    private Data() {
    }

    public static TensorDataset regression(int samples, int features, long seed) {
        manual_seed(seed);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(samples, features);
            Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .mul(new Scalar(0.5)).add(new Scalar(1.0)).add(randn(samples, 1).mul(new Scalar(0.01)));
            return new TensorDataset(x, y);
        }
    }

    public static DataLoader loader(int samples, int features, int batchSize) {
        return DataLoader.builder(regression(samples, features, 7)).batchSize(batchSize).build();
    }
}
