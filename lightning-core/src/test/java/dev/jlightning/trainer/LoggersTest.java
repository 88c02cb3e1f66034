package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.RecordingLogger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row steps of Lightning's {@code tests_pytorch/loggers/test_all.py} and {@code test_logger.py}. */
class LoggersTest {

    @TempDir
    Path dir;

    @Test
    void loggersFitTestAll() {
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Tensor loss = super.trainingStep(batch, batchIdx);
                log("train_some_val", loss);
                return loss;
            }

            @Override
            public void onValidationEpochEnd() {
                log("early_stop_on", 0.5);
                log("val_loss", 0.25);
            }

            @Override
            public void testStep(Batch batch, int batchIdx) {
                step(batch);
            }

            @Override
            public void onTestEpochEnd() {
                log("test_loss", 0.125);
            }
        };
        RecordingLogger logger = new RecordingLogger(dir);
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(logger).maxEpochs(1)
                .limitTrainBatches(1).limitValBatches(1).limitTestBatches(1).logEveryNSteps(1).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        t.test(model, BoringModel.data(64));
        List<String> calls = new ArrayList<>();
        for (RecordingLogger.Call c : logger.calls()) {
            calls.add(c.step() + " " + new TreeSet<>(c.metrics().keySet()));
        }
        assertEquals(List.of("0 [epoch, train_some_val]", "0 [early_stop_on, epoch, val_loss]",
                "1 [epoch, test_loss]"), calls);
    }

    @Test
    void addingStepKey() {
        int[] loggedStep = {0};
        List<Long> valSteps = new ArrayList<>();
        RecordingLogger logger = new RecordingLogger(dir) {
            @Override
            public void logMetrics(Map<String, ? extends Number> metrics, long step) {
                if (metrics.containsKey("val_acc")) {
                    assertEquals(loggedStep[0], step);
                    valSteps.add(step);
                }
                super.logMetrics(metrics, step);
            }
        };
        BoringModel model = new BoringModel() {
            @Override
            public void onTrainEpochEnd() {
                loggedStep[0]++;
                logDict(Map.of("step", loggedStep[0], "train_acc", loggedStep[0] / 10.0), LogOptions.DEFAULT);
            }

            @Override
            public void onValidationEpochEnd() {
                loggedStep[0]++;
                logDict(Map.of("step", loggedStep[0], "val_acc", loggedStep[0] / 10.0), LogOptions.DEFAULT);
            }
        };
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(logger).maxEpochs(3).limitTrainBatches(0.1)
                .limitValBatches(0.1).numSanityValSteps(0).build()
                .fit(model, BoringModel.data(64), BoringModel.data(64));
        // validation ends before the train epoch ends: steps 1, 3, 5 for validation, 2, 4, 6 for training
        assertEquals(List.of(1L, 3L, 5L), valSteps);
        List<String> trainRows = logger.calls().stream().filter(c -> c.metrics().containsKey("train_acc"))
                .map(RecordingLogger.Call::toString).toList();
        assertEquals(List.of("2:{train_acc=0.20000000298023224}", "4:{train_acc=0.4000000059604645}",
                "6:{train_acc=0.6000000238418579}"), trainRows);
    }
}
