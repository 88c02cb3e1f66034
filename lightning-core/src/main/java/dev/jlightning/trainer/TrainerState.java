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
