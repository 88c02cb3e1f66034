package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.testing.BoringModel;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scheduler-related tests of Lightning's {@code tests_pytorch/trainer/test_trainer.py}. */
class TrainerTest {

    @TempDir
    Path dir;

    private static double checksum(LightningModule m) {
        double sum = 0;
        try (TensorVector params = m.parameters()) {
            for (long i = 0; i < params.size(); i++) {
                sum += params.get(i).sum().item_double();
            }
        }
        return sum;
    }

    /**
     * Weights never change during backward; they change after a batch exactly when the optimizer stepped, which
     * happens at the end of each accumulation window and on the epoch's last batch even when its window is
     * incomplete (0.8 and 0.7 of 64 batches, 51 and 44, are not multiples of 3 and 4).
     */
    @ParameterizedTest
    @CsvSource({"3, 1.0", "3, 0.8", "4, 1.0", "4, 0.7"})
    void gradientAccumulationSchedulingLastBatch(int accumulateGradBatches, double limitTrainBatches) {
        int[] stepped = {0};
        Callback checker = new Callback() {
            double atStart;
            long stepsAtStart;

            @Override
            public void onTrainBatchStart(Trainer t, LightningModule m, Batch b, int i) {
                atStart = checksum(m);
                stepsAtStart = t.globalStep();
            }

            @Override
            public void onAfterBackward(Trainer t, LightningModule m) {
                assertEquals(atStart, checksum(m), 0.0, "backward must not change the weights");
            }

            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                boolean lastBatch = i + 1 == t.numTrainingBatches();
                boolean shouldStep = (i + 1) % accumulateGradBatches == 0 || lastBatch;
                boolean didStep = t.globalStep() == stepsAtStart + 1;
                assertEquals(shouldStep, didStep, "batch " + i);
                if (didStep) {
                    assertNotEquals(atStart, checksum(m), "batch " + i);
                    stepped[0]++;
                } else {
                    assertEquals(atStart, checksum(m), 0.0, "batch " + i);
                }
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false).maxEpochs(2)
                .accumulateGradBatches(accumulateGradBatches).limitTrainBatches(limitTrainBatches).limitValBatches(0)
                .callbacks(checker).build();
        t.fit(new BoringModel(), BoringModel.data(64));
        int batches = (int) (64 * limitTrainBatches);
        int perEpoch = (batches + accumulateGradBatches - 1) / accumulateGradBatches;
        assertEquals(2 * perEpoch, stepped[0]);
        assertEquals(2 * perEpoch, t.globalStep());
    }
}
