package dev.jlightning.trainer;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.MetricCollector;
import dev.jlightning.optim.OptimizerSetup;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;

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
    final Map<String, Long> metricVersions = new HashMap<>();
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

    final MetricCollector trainResults = new MetricCollector();
    final MetricCollector evalResults = new MetricCollector();
    MetricCollector activeResults;

    void putCallbackMetrics(Map<String, Double> values) {
        values.forEach((k, v) -> {
            callbackMetrics.put(k, v);
            metricVersions.merge(k, 1L, Long::sum);
        });
    }

    void putCallbackMetric(String name, double value) {
        callbackMetrics.put(name, value);
        metricVersions.merge(name, 1L, Long::sum);
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
