package dev.jlightning.trainer;

import java.util.Map;

/**
 * The fit loop's position and counters as read from a checkpoint, checked and ready to apply.
 *
 * <p>Lightning's {@code checkpoint["loops"]["fit_loop"]} plus what its loops rebuild on restart: the phase within
 * the batch or epoch ({@link LoopPhase}), the counters, the metric maps and the epoch's metric accumulators, and the
 * data-order generator states (at the epoch's start, now, and the validation loader's).
 */
record ResumePoint(
        LoopPhase phase,
        int currentEpoch,
        int batchIdx,
        boolean reachedLastBatch,
        long globalStep,
        long batchesThatStepped,
        long totalBatchIdx,
        Map<String, Double> callbackMetrics,
        Map<String, Long> metricVersions,
        Map<String, Double> loggedMetrics,
        Map<String, Double> progressBarMetrics,
        Map<String, Object> trainResults,
        Map<String, Object> trainDataEpochStart,
        Map<String, Object> trainData,
        Map<String, Object> valData) {
}
