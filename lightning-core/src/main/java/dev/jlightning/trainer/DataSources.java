package dev.jlightning.trainer;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DataLoader;
import java.util.Optional;

/** The loaders of one run, given directly or taken from a {@link LightningDataModule} after its setup. */
final class DataSources {

    private final Optional<DataLoader> train;
    private final Optional<DataLoader> val;
    private final Optional<DataLoader> test;
    private final Optional<LightningDataModule> dataModule;

    private DataSources(Optional<DataLoader> train, Optional<DataLoader> val, Optional<DataLoader> test,
            Optional<LightningDataModule> dataModule) {
        this.train = train;
        this.val = val;
        this.test = test;
        this.dataModule = dataModule;
    }

    static DataSources of(DataLoader train, Optional<DataLoader> val) {
        if (train == null) {
            throw new MisconfigurationException("fit needs a training DataLoader, got null");
        }
        return new DataSources(Optional.of(train), val, Optional.empty(), Optional.empty());
    }

    static DataSources of(LightningDataModule dm, String stage) {
        if (dm == null) {
            throw new MisconfigurationException("the LightningDataModule is null");
        }
        dm.prepareData();
        dm.setup(stage);
        Optional<DataLoader> train = "fit".equals(stage) && dm.provides("trainDataloader")
                ? Optional.of(dm.trainDataloader()) : Optional.empty();
        Optional<DataLoader> val = ("fit".equals(stage) || "validate".equals(stage)) && dm.provides("valDataloader")
                ? Optional.of(dm.valDataloader()) : Optional.empty();
        Optional<DataLoader> test = "test".equals(stage) && dm.provides("testDataloader")
                ? Optional.of(dm.testDataloader()) : Optional.empty();
        if ("fit".equals(stage) && train.isEmpty()) {
            throw new MisconfigurationException(dm.getClass().getSimpleName() + " must implement trainDataloader()"
                    + " to be used with fit");
        }
        return new DataSources(train, val, test, Optional.of(dm));
    }

    /** The same sources with every loader replaced by {@code f}'s version of it (e.g. a distributed view). */
    DataSources map(java.util.function.UnaryOperator<DataLoader> f) {
        return new DataSources(train.map(f), val.map(f), test.map(f), dataModule);
    }

    DataLoader train() {
        return train.orElseThrow();
    }

    Optional<DataLoader> val() {
        return val;
    }

    Optional<DataLoader> test() {
        return test;
    }

    Optional<LightningDataModule> dataModule() {
        return dataModule;
    }
}
