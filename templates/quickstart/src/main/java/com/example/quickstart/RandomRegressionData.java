package com.example.quickstart;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.randn;

/** A noisy linear target, split into train and validation sets in {@code setup}. */
public class RandomRegressionData extends LightningDataModule {
    static final int FEATURES = 8;
    private final int batchSize;
    private TensorDataset train;
    private TensorDataset val;

    public RandomRegressionData(int batchSize) {
        this.batchSize = batchSize;
    }

    @Override
    public void setup(String stage) {
        manual_seed(7);
        Tensor w = randn(FEATURES, 1);
        Tensor x = randn(1000, FEATURES);
        Tensor y = matmul(x, w).add(randn(1000, 1).mul(new Scalar(0.1)));
        train = new TensorDataset(x.narrow(0, 0, 800), y.narrow(0, 0, 800));
        val = new TensorDataset(x.narrow(0, 800, 200), y.narrow(0, 800, 200));
    }

    @Override
    public DataLoader trainDataloader() {
        return DataLoader.builder(train).batchSize(batchSize).shuffle(true).build();
    }

    @Override
    public DataLoader valDataloader() {
        return DataLoader.builder(val).batchSize(batchSize).build();
    }
}
