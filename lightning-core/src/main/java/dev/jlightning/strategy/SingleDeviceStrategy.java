package dev.jlightning.strategy;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.precision.Precision;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Training in this process on one device; every collective is the identity. Lightning:
 * {@code SingleDeviceStrategy}.
 */
public final class SingleDeviceStrategy implements Strategy {

    private final Device device;
    private final Precision precision;

    /** Full precision ({@code "32-true"}) on {@code device}. */
    public SingleDeviceStrategy(Device device) {
        this(device, Precision.of("32-true", device.type()));
    }

    public SingleDeviceStrategy(Device device, Precision precision) {
        this.device = device;
        this.precision = precision;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public String name() {
        return "single_device";
    }

    @Override
    public Device rootDevice() {
        return device;
    }

    @Override
    public int globalRank() {
        return 0;
    }

    @Override
    public int localRank() {
        return 0;
    }

    @Override
    public int nodeRank() {
        return 0;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public void setupEnvironment() {
    }

    @Override
    public void setup(LightningModule module) {
    }

    @Override
    public DataLoader processDataloader(DataLoader loader) {
        return loader;
    }

    @Override
    public void preForward(boolean synchronize) {
    }

    @Override
    public void preBackward(Tensor loss, boolean synchronize) {
    }

    @Override
    public double reduce(double value, ReduceOp op) {
        return value;
    }

    @Override
    public double[] reduce(double[] values, ReduceOp op) {
        return values;
    }

    @Override
    public double[] broadcast(double[] values) {
        return values;
    }

    @Override
    public String broadcast(String value) {
        return value;
    }

    @Override
    public void barrier(String name) {
    }

    @Override
    public boolean reduceBooleanDecision(boolean decision, boolean all) {
        return decision;
    }

    @Override
    public void onException(Throwable error) {
    }

    @Override
    public void teardown() {
    }
}
