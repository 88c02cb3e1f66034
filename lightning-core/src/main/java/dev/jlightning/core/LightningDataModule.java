package dev.jlightning.core;

import dev.jlightning.data.DataLoader;

/**
 * Everything about the data of a run: preparing it, splitting it, and the loaders for each stage.
 *
 * <p>Counterpart of {@code lightning.pytorch.LightningDataModule}. The Trainer calls {@link #prepareData()} and
 * {@link #setup(String)} with the stage ("fit", "validate", "test", "predict"), then asks for the loaders it needs.
 * Loaders that are not overridden are absent: a fit without {@code valDataloader} simply skips validation.
 */
public abstract class LightningDataModule {

    static {
        // a data module is often the first JLightning object a program makes, before any tensor exists
        JavaCppDefaults.apply();
    }

    /** Downloads or writes data once. Lightning: {@code prepare_data()}. */
    public void prepareData() {
    }

    /** Builds datasets for a stage. Lightning: {@code setup(stage)}. */
    public void setup(String stage) {
    }

    /** Frees what {@link #setup(String)} built. Lightning: {@code teardown(stage)}. */
    public void teardown(String stage) {
    }

    public DataLoader trainDataloader() {
        throw notImplemented("trainDataloader");
    }

    public DataLoader valDataloader() {
        throw notImplemented("valDataloader");
    }

    public DataLoader testDataloader() {
        throw notImplemented("testDataloader");
    }

    public DataLoader predictDataloader() {
        throw notImplemented("predictDataloader");
    }

    /** Whether this data module provides the named loader ({@code "valDataloader"} etc.). */
    public final boolean provides(String loaderMethod) {
        try {
            return getClass().getMethod(loaderMethod).getDeclaringClass() != LightningDataModule.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("unknown loader method " + loaderMethod, e);
        }
    }

    private MisconfigurationException notImplemented(String method) {
        return new MisconfigurationException(getClass().getSimpleName() + " does not implement " + method + "()");
    }
}
