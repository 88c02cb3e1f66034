package dev.jlightning.examples;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.randn;

/**
 * The warmup + cosine example's data as a data module: {@code samples} rows of 8 features, y = 0.3 * sum(x) plus
 * noise, drawn from the global generator when built, shuffled in batches. Built after {@code seed_everything}, it
 * draws exactly what {@link WarmupCosineExample} draws. Lightning: a {@code LightningDataModule} in a
 * LightningCLI config's {@code data} section.
 */
public final class WarmupCosineData extends LightningDataModule implements AutoCloseable {
    static final int FEATURES = 8;
    private final TensorDataset data;
    private final DataLoader loader;

    /**
     * @param samples rows in the dataset
     * @param batch_size training batch size
     */
    public WarmupCosineData(int samples, int batch_size) {
        this.data = create(samples);
        this.loader = DataLoader.builder(data).batchSize(batch_size).shuffle(true).build();
    }

    static TensorDataset create(int samples) {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(samples, FEATURES);
            Tensor y = x.sum(new long[] {1}, true, new ScalarTypeOptional()).mul(new Scalar(0.3))
                    .add(randn(samples, 1).mul(new Scalar(0.05)));
            return new TensorDataset(x, y);
        }
    }

    @Override
    public DataLoader trainDataloader() {
        return loader;
    }

    @Override
    public void close() {
        data.close();
    }
}
