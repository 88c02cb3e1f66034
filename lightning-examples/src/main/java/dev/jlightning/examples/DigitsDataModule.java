package dev.jlightning.examples;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.data.DataLoader;

/**
 * The UCI 8x8 digits as a data module, for {@code lightning-examples/config/digits.yaml}: the split and loaders
 * {@link DigitsExample} builds by hand (train shuffled in batches of {@code batch_size}, validation in batches of
 * 512). Lightning: a {@code LightningDataModule} named in a LightningCLI config's {@code data} section; its
 * constructor's parameter names are the config's {@code init_args} (this module compiles with {@code -parameters}).
 */
public final class DigitsDataModule extends LightningDataModule implements AutoCloseable {
    private final DigitsData.Split split;
    private final DataLoader train;
    private final DataLoader val;

    /**
     * @param val_fraction the share of images held out for validation
     * @param batch_size training batch size
     * @param seed the split's seed
     */
    public DigitsDataModule(double val_fraction, int batch_size, long seed) {
        this.split = DigitsData.load().split(val_fraction, seed);
        this.train = DataLoader.builder(split.train()).batchSize(batch_size).shuffle(true).build();
        this.val = DataLoader.builder(split.val()).batchSize(512).build();
    }

    @Override
    public DataLoader trainDataloader() {
        return train;
    }

    @Override
    public DataLoader valDataloader() {
        return val;
    }

    @Override
    public void close() {
        split.close();
    }
}
