package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.RecordingLogger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows and metric views of Lightning's {@code tests_pytorch/trainer/logging_/test_train_loop_logging.py}. */
class TrainLoopLoggingTest {

    @TempDir
    Path dir;

    private static Map<String, Number> m(Object... kv) {
        Map<String, Number> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], (Number) kv[i + 1]);
        }
        return out;
    }

    @Test
    void logMetricsEpochStepValues() {
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                log("foo", 0.0, LogOptions.builder().onStep(true).onEpoch(true).build());
                return super.trainingStep(batch, batchIdx);
            }
        };
        RecordingLogger logger = new RecordingLogger(dir);
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(logger).maxEpochs(2).limitTrainBatches(2)
                .limitValBatches(0).logEveryNSteps(1).build().fit(model, BoringModel.data(64));
        assertEquals(List.of(
                new RecordingLogger.Call(m("foo_step", 0.0, "epoch", 0), 0),
                new RecordingLogger.Call(m("foo_step", 0.0, "epoch", 0), 1),
                new RecordingLogger.Call(m("foo_epoch", 0.0, "epoch", 0), 1),
                new RecordingLogger.Call(m("foo_step", 0.0, "epoch", 1), 2),
                new RecordingLogger.Call(m("foo_step", 0.0, "epoch", 1), 3),
                new RecordingLogger.Call(m("foo_epoch", 0.0, "epoch", 1), 3)), logger.calls());
    }

    @Test
    void logOnTrainStart() {
        BoringModel model = new BoringModel() {
            @Override
            public void onTrainStart() {
                log("foo", 123);
            }
        };
        RecordingLogger logger = new RecordingLogger(dir);
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(logger).maxEpochs(2).limitTrainBatches(1)
                .limitValBatches(0).build().fit(model, BoringModel.data(64));
        // logged once, with the first epoch's aggregates
        assertEquals(List.of(new RecordingLogger.Call(m("foo", 123.0, "epoch", 0), 0)), logger.calls());
    }

    @Test
    void trainingStepLog() {
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = super.trainingStep(batch, batchIdx);
                log("default", loss);
                log("l_s", loss, LogOptions.builder().onStep(true).onEpoch(false).logger(true).build());
                log("l_e", loss, LogOptions.builder().onStep(false).onEpoch(true).logger(true).build());
                log("l_se", loss, LogOptions.builder().onStep(true).onEpoch(true).logger(true).build());
                log("p_s", loss, LogOptions.builder().onStep(true).onEpoch(false).progBar(true).logger(false).build());
                log("p_e", loss, LogOptions.builder().onStep(false).onEpoch(true).progBar(true).logger(false).build());
                log("p_se", loss, LogOptions.builder().onStep(true).onEpoch(true).progBar(true).logger(false).build());
                return loss;
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").limitTrainBatches(2)
                .limitValBatches(2).maxEpochs(2).logEveryNSteps(1).build();
        t.fit(model, BoringModel.data(64));
        Set<String> logged = t.loggedMetrics().keySet();
        assertEquals(Set.of("default", "l_e", "l_s", "l_se_step", "l_se_epoch"), logged);
        Set<String> pbar = t.progressBarMetrics().keySet();
        assertEquals(Set.of("p_e", "p_s", "p_se_step", "p_se_epoch"), pbar);
        Set<String> expected = new HashSet<>(logged);
        expected.addAll(pbar);
        expected.addAll(Set.of("p_se", "l_se"));
        assertEquals(expected, t.callbackMetrics().keySet());
    }

    @Test
    void trainingStepEpochEndLog() {
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = super.trainingStep(batch, batchIdx);
                log("a", loss, LogOptions.builder().onStep(true).onEpoch(true).build());
                double v = loss.item_double();
                logDict(Map.of("a1", v, "a2", v), LogOptions.DEFAULT);
                return loss;
            }

            @Override
            public void onTrainEpochEnd() {
                log("b1", 1.0);
                log("b", 2.0, LogOptions.builder().onEpoch(true).progBar(true).logger(true).build());
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").limitTrainBatches(2)
                .limitValBatches(2).maxEpochs(2).logEveryNSteps(1).build();
        t.fit(model, BoringModel.data(64));
        Set<String> logged = t.loggedMetrics().keySet();
        assertEquals(Set.of("a_step", "a_epoch", "b", "b1", "a1", "a2"), logged);
        assertEquals(Set.of("b"), t.progressBarMetrics().keySet());
        Set<String> expected = new HashSet<>(logged);
        expected.add("a");
        assertEquals(expected, t.callbackMetrics().keySet());
    }
}
