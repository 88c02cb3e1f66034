package dev.jlightning.strategy;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.precision.Precision;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Owns how a run is spread over processes and devices: which device this process trains on, how gradients and
 * logged values are combined across processes, and how the processes wait for each other.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.strategies.Strategy}. The loops never see a process group:
 * they ask the strategy to launch, to set the module up, to prepare each forward and backward, to reduce, broadcast
 * and barrier. {@link SingleDeviceStrategy} does all of that for one process; {@link DDPStrategy} is
 * DistributedDataParallel over c10d.
 */
public interface Strategy {

    /** Lightning's registry name: {@code "single_device"}, {@code "ddp"}. */
    String name();

    /**
     * The precision plugin the loops call around each step's forward, backward and optimizer step. Lightning:
     * {@code strategy.precision_plugin}.
     */
    Precision precision();

    /** The device this process trains on. Lightning: {@code root_device}. */
    Device rootDevice();

    int globalRank();

    int localRank();

    int nodeRank();

    int worldSize();

    default boolean isGlobalZero() {
        return globalRank() == 0;
    }

    /**
     * Starts the other local processes of the job when this process must (a DDP run started as a plain program), and
     * joins the process group. Called at the start of every fit/validate/test/predict; only the first call does
     * anything.
     */
    void setupEnvironment();

    /** Called once the module is on its device and its weights are final (after a checkpoint restore). */
    void setup(LightningModule module);

    /** Gives each rank its share of a loader's data, when the Trainer is asked to use a distributed sampler. */
    DataLoader processDataloader(DataLoader loader);

    /**
     * Before the forward of a training step.
     *
     * @param synchronize whether the backward of this step averages gradients across ranks (false on the
     *     non-stepping batches of gradient accumulation: DDP's {@code no_sync})
     */
    void preForward(boolean synchronize);

    /** Before {@code backward()} of {@code loss}; see {@link #preForward(boolean)}. */
    void preBackward(Tensor loss, boolean synchronize);

    /** Combines one value per rank. */
    double reduce(double value, ReduceOp op);

    /** Combines vectors elementwise across ranks. */
    double[] reduce(double[] values, ReduceOp op);

    /** Rank 0's values on every rank. */
    double[] broadcast(double[] values);

    /** Rank 0's text on every rank ({@code null} stays {@code null}). */
    String broadcast(String value);

    /** Waits until every rank arrives here. */
    void barrier(String name);

    /**
     * Whether to act on a decision each rank made on its own: true when all ranks ({@code all}) or any rank voted
     * for it. Lightning: {@code reduce_boolean_decision}.
     */
    default boolean reduceBooleanDecision(boolean decision, boolean all) {
        double votes = reduce(decision ? 1.0 : 0.0, ReduceOp.SUM);
        return all ? votes == worldSize() : votes > 0;
    }

    /** Called when a run fails on this rank, before the exception leaves the Trainer. */
    void onException(Throwable error);

    /** Why the whole job failed, when another rank's failure ended it; empty otherwise. */
    default java.util.Optional<String> jobFailure() {
        return java.util.Optional.empty();
    }

    /** Undoes {@link #setup(LightningModule)} at the end of a run. */
    void teardown();
}
