package dev.jlightning.cli;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.testing.Data;

/** Synthetic regression data bound by parameter names (this module's tests compile with -parameters). */
public class RegressionData extends LightningDataModule {
    private final TensorDataset train;
    private final TensorDataset val;
    private final int batchSize;

    public RegressionData(int samples, int features, int batch_size) {
        this.train = Data.regression(samples, features, 7);
        this.val = Data.regression(samples / 4, features, 8);
        this.batchSize = batch_size;
    }

    @Override
    public DataLoader trainDataloader() {
        return DataLoader.builder(train).batchSize(batchSize).shuffle(true).build();
    }

    @Override
    public DataLoader valDataloader() {
        return DataLoader.builder(val).batchSize(batchSize).build();
    }

    @Override
    public DataLoader testDataloader() {
        return DataLoader.builder(val).batchSize(batchSize).build();
    }

    @Override
    public DataLoader predictDataloader() {
        return DataLoader.builder(val).batchSize(batchSize).build();
    }
}
