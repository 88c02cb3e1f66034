package dev.jlightning.trainer;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.MetricCollector;
import dev.jlightning.optim.OptimizerSetup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The mutable state of a run, separate from the Trainer's immutable configuration: counters, metrics, the module
 * and its optimizers. Loops write it; callbacks read it through the Trainer's getters.
 */
final class TrainerState {

    String stage = "";
    LightningModule module;
    Device device;
    OptimizerSetup setup = null;
    List<LightningOptimizer> lightningOptimizers = List.of();

    int currentEpoch;
    long globalStep;
    /** Lightning's {@code fit_loop.epoch_loop._batches_that_stepped}: the logger step counter. */
    long batchesThatStepped;
    int batchIdx;
    boolean isLastBatch;
    boolean shouldStop;
    boolean sanityChecking;
    int numTrainingBatches;
    int numValBatches;
    int numTestBatches;
    DataLoader trainDataloader;

    final Map<String, Double> callbackMetrics = new LinkedHashMap<>();
    final MetricVersions metricVersions = new MetricVersions();
    final Map<String, Double> loggedMetrics = new LinkedHashMap<>();
    final Map<String, Double> progressBarMetrics = new LinkedHashMap<>();

    /** Where the fit loop stands, as a checkpoint saved now records it. */
    LoopPhase phase = LoopPhase.EPOCH_DONE;
    /** The data-order generator's state at the start of the current epoch, before it drew the epoch's order. */
    Map<String, Object> trainDataEpochStart = Map.of();
    boolean reachedLastBatch;
    /** The checkpoint the current fit resumed from. Lightning: {@code trainer.ckpt_path}. */
    java.nio.file.Path ckptPath;
    /** The fit loop of the current or last fit, whose position and data checkpoints record. */
    FitLoop fitLoop;

    /**
     * The last tensor of this batch whose value {@code log} read, with its version counter and value, so that the
     * fit loop's non-finite check reuses the read instead of reading the loss again (each read goes through the
     * dispatcher, and on a GPU it is a device synchronisation). Only tensors that require grad are remembered: the
     * loss does, and inference tensors, which have no version counter, cannot.
     */
    private Tensor scalarTensor;
    private long scalarVersion;
    private double scalarValue;

    final MetricCollector trainResults = new MetricCollector();
    final MetricCollector evalResults = new MetricCollector();
    MetricCollector activeResults;

    void putCallbackMetrics(Map<String, Double> values) {
        values.forEach((k, v) -> {
            callbackMetrics.put(k, v);
            metricVersions.bump(k);
        });
    }

    void putCallbackMetric(String name, double value) {
        putCallbackValue(name, value);
    }

    /** {@link #putCallbackMetric} for a value already boxed, as the metric collector hands out step values. */
    void putCallbackValue(String name, Double value) {
        callbackMetrics.put(name, value);
        metricVersions.bump(name);
    }

    /** Reads a one-element tensor's value and remembers it for {@link #scalarOf}. */
    double readScalar(Tensor t) {
        double value = t.item_double();
        if (t.requires_grad()) {
            scalarTensor = t;
            scalarVersion = t._version();
            scalarValue = value;
        }
        return value;
    }

    /**
     * Whether {@code t} is the tensor {@link #readScalar} last read and no in-place operation has changed it since:
     * then {@code log} has checked that it is a live one-element tensor that requires grad, and
     * {@link #loggedScalarValue()} is its value.
     */
    boolean isLoggedScalar(Tensor t) {
        return t != null && t == scalarTensor && !t.isNull() && t._version() == scalarVersion;
    }

    /** The value {@link #readScalar} last read; see {@link #isLoggedScalar}. */
    double loggedScalarValue() {
        return scalarValue;
    }

    /** Drops the remembered tensor, whose native memory its batch's scope is about to free. */
    void forgetScalar() {
        scalarTensor = null;
    }

    void resetForRun(String newStage) {
        stage = newStage;
        callbackMetrics.clear();
        metricVersions.clear();
        loggedMetrics.clear();
        progressBarMetrics.clear();
        trainResults.reset();
        evalResults.reset();
        activeResults = null;
        shouldStop = false;
        sanityChecking = false;
        isLastBatch = false;
    }
}
