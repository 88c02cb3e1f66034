package dev.jlightning.trainer;

import static dev.jlightning.checkpoint.CheckpointJson.toBool;
import static dev.jlightning.checkpoint.CheckpointJson.toInt;
import static dev.jlightning.checkpoint.CheckpointJson.toLong;
import static dev.jlightning.checkpoint.CheckpointJson.toMap;

import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointException;
import dev.jlightning.checkpoint.CheckpointJson;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the fit loop's state from a checkpoint's JSON part into a {@link ResumePoint}, checking every entry, and
 * applies it to the Trainer's state.
 */
final class ResumeStates {

    private ResumeStates() {
    }

    static ResumePoint parse(Checkpoint ckpt, int numTrainingBatches, boolean hasVal) {
        String source = ckpt.source();
        Map<String, Object> loops = toMap(ckpt.json().get("loops"), source + ": entry 'loops'");
        Map<String, Object> fit = toMap(loops.get("fit_loop"), source + ": entry 'loops.fit_loop'");
        String where = source + ": loops.fit_loop.";
        LoopPhase phase;
        Object phaseName = fit.get("phase");
        try {
            phase = LoopPhase.valueOf(CheckpointJson.toStr(phaseName, where + "phase").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + "phase is " + phaseName + ", not a known loop phase", e);
        }
        int epoch = toInt(fit.get("current_epoch"), where + "current_epoch", 0, Integer.MAX_VALUE);
        int batchIdx = toInt(fit.get("batch_idx"), where + "batch_idx", -1, Integer.MAX_VALUE);
        boolean midEpoch = phase == LoopPhase.BATCH_DONE || phase == LoopPhase.TRAIN_BATCH_END
                || phase == LoopPhase.VALIDATION_END;
        int savedBatches = toInt(fit.get("num_training_batches"), where + "num_training_batches", 0,
                Integer.MAX_VALUE);
        if (midEpoch && savedBatches != numTrainingBatches) {
            throw new CheckpointException(source + " was saved in the middle of an epoch of " + savedBatches
                    + " training batches, but the training data now gives " + numTrainingBatches + " batches; a"
                    + " mid-epoch checkpoint resumes only with the same data, batch size and limitTrainBatches");
        }
        if (midEpoch && batchIdx >= numTrainingBatches) {
            throw new CheckpointException(where + "batch_idx " + batchIdx + " is beyond the epoch's "
                    + numTrainingBatches + " batches");
        }
        Map<String, Object> epochLoop = toMap(fit.get("epoch_loop.state_dict"), where + "epoch_loop.state_dict");
        Map<String, Object> rng = ckpt.json().get("rng_states") instanceof Map
                ? toMap(ckpt.json().get("rng_states"), source + ": rng_states") : Map.of();
        Map<String, Object> dataOrder = rng.get("data_order") instanceof Map
                ? toMap(rng.get("data_order"), source + ": rng_states.data_order") : Map.of();
        return new ResumePoint(phase, epoch, batchIdx,
                toBool(fit.get("reached_last_batch"), where + "reached_last_batch"),
                toLong(fit.get("global_step"), where + "global_step", 0, CheckpointJson.MAX_COUNTER),
                toLong(epochLoop.get("_batches_that_stepped"), where + "epoch_loop.state_dict._batches_that_stepped", 0,
                        CheckpointJson.MAX_COUNTER),
                toLong(fit.get("total_batch_idx"), where + "total_batch_idx", -1, CheckpointJson.MAX_COUNTER),
                doubles(fit.get("callback_metrics"), where + "callback_metrics"),
                longs(fit.get("metric_versions"), where + "metric_versions"),
                doubles(fit.get("logged_metrics"), where + "logged_metrics"),
                doubles(fit.get("progress_bar_metrics"), where + "progress_bar_metrics"),
                toMap(fit.get("train_results"), where + "train_results"),
                generatorState(dataOrder.get("train_epoch_start"), source, "train_epoch_start"),
                generatorState(dataOrder.get("train"), source, "train"),
                dataOrder.containsKey("val") && hasVal ? generatorState(dataOrder.get("val"), source, "val") : Map.of());
    }

    private static Map<String, Object> generatorState(Object value, String source, String which) {
        Map<String, Object> m = toMap(value, source + ": rng_states.data_order." + which);
        toLong(m.get("state"), source + ": rng_states.data_order." + which + ".state");
        return m;
    }

    private static Map<String, Double> doubles(Object value, String what) {
        Map<String, Double> out = new LinkedHashMap<>();
        toMap(value, what).forEach((k, v) -> out.put(k, CheckpointJson.toDouble(v, what + "." + k)));
        return out;
    }

    private static Map<String, Long> longs(Object value, String what) {
        Map<String, Long> out = new LinkedHashMap<>();
        toMap(value, what).forEach((k, v) -> out.put(k, toLong(v, what + "." + k, 0, CheckpointJson.MAX_COUNTER)));
        return out;
    }

    /** Restores the training results collection; the one part of the loop state that can refuse its data. */
    static void loadResults(ResumePoint p, TrainerState st) {
        try {
            st.trainResults.loadStateDict(p.trainResults());
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new CheckpointException("loops.fit_loop.train_results: " + e.getMessage(), e);
        }
    }

    /** Applies the rest of the loop state; call {@link #loadResults} first. Cannot fail. */
    static void apply(ResumePoint p, TrainerState st, FitLoop loop) {
        st.currentEpoch = p.currentEpoch();
        st.globalStep = p.globalStep();
        st.batchesThatStepped = p.batchesThatStepped();
        st.reachedLastBatch = p.reachedLastBatch();
        st.callbackMetrics.clear();
        st.callbackMetrics.putAll(p.callbackMetrics());
        st.metricVersions.restore(p.metricVersions());
        st.loggedMetrics.clear();
        st.loggedMetrics.putAll(p.loggedMetrics());
        st.progressBarMetrics.clear();
        st.progressBarMetrics.putAll(p.progressBarMetrics());
        st.trainDataEpochStart = p.trainDataEpochStart();
        st.phase = p.phase();
        loop.resumeAt(p);
    }
}
