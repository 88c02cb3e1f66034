package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.Dataset;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.LogCapture;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

import static org.bytedeco.pytorch.global.torch.ones;

/**
 * Two mistakes in user code that used to fail obscurely or not at all: a dataset returning null (named, with the
 * index, instead of a NullPointerException from inside the loader), and a loss that turns NaN (reported once with
 * its step; with {@code detectAnomaly(true)} training stops there, before the weights are touched).
 */
class NonFiniteLossAndNullSampleTest {

    /** 8 samples of 32 features; {@code get(5)} returns null. */
    static final class HoleyDataset implements Dataset {
        @Override
        public int size() {
            return 8;
        }

        @Override
        public Batch get(int index) {
            return index == 5 ? null : Batch.of(ones(32));
        }
    }

    @Test
    void aDatasetReturningNullIsNamedWithItsIndex() {
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).enableProgressBar(false).build();
        DataLoader data = DataLoader.builder(new HoleyDataset()).batchSize(2).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(new BoringModel(), data));
        assertTrue(e.getMessage().contains("HoleyDataset.get(5) returned null"), e.getMessage());
    }

    /** BoringModel whose loss is NaN from batch 3 on. */
    static class TurnsNaN extends BoringModel {
        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = step(batch);
            return batchIdx >= 3 ? loss.mul(new Scalar(Double.NaN)) : loss;
        }

        boolean weightsFinite() {
            try (TensorVector p = parameters()) {
                for (long i = 0; i < p.size(); i++) {
                    if (!p.get(i).isfinite().all().item_bool()) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    @Test
    void theFirstNonFiniteLossIsReportedOnceWithItsStep() {
        TurnsNaN m = new TurnsNaN();
        try (LogCapture log = LogCapture.capture()) {
            Trainer t = Trainer.builder().maxEpochs(1).logger(false).enableProgressBar(false).build();
            t.fit(m, BoringModel.data(8));
            List<String> w = log.matching("non-finite loss");
            assertEquals(1, w.size(), String.valueOf(log.warnings()));
            assertTrue(w.get(0).contains("batch 3, global step 3") && w.get(0).contains("detectAnomaly(true)"),
                    w.get(0));
            assertEquals(8, t.globalStep(), "training goes on, as in Lightning");
        }
    }

    /** Logs its (finite) loss, then makes it NaN in place from batch 2 on, as a buggy step might. */
    static final class LogsThenBreaksInPlace extends TurnsNaN {
        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = step(batch);
            log("train_loss", loss);
            if (batchIdx >= 2) {
                loss.mul_(new Scalar(Double.NaN));
            }
            return loss;
        }
    }

    @Test
    void aLossChangedInPlaceAfterItWasLoggedIsReadAgain() {
        // the check reuses the value log() read only while the tensor's version counter is unchanged
        LogsThenBreaksInPlace m = new LogsThenBreaksInPlace();
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).enableProgressBar(false).detectAnomaly(true).build();
        AnomalyDetectedException e = assertThrows(AnomalyDetectedException.class, () -> t.fit(m, BoringModel.data(8)));
        assertTrue(e.getMessage().contains("(NaN) at epoch 0, batch 2, global step 2"), e.getMessage());
        assertTrue(m.weightsFinite(), "no NaN reached the weights");
        assertTrue(Double.isFinite(t.callbackMetrics().get("train_loss")),
                "batch 2 logged its loss before the change: " + t.callbackMetrics());
    }

    @Test
    void detectAnomalyStopsAtTheFirstNonFiniteLossBeforeTheWeightsChange() {
        TurnsNaN m = new TurnsNaN();
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).enableProgressBar(false).detectAnomaly(true).build();
        AnomalyDetectedException e = assertThrows(AnomalyDetectedException.class, () -> t.fit(m, BoringModel.data(8)));
        assertTrue(e.getMessage().contains("(NaN) at epoch 0, batch 3, global step 3"), e.getMessage());
        assertEquals(3, t.globalStep());
        assertTrue(m.weightsFinite(), "no NaN reached the weights");
        assertTrue(t.config().detectAnomaly());
    }
}
