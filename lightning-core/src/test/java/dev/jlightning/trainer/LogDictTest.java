package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LogOptions;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.MetricsCsv;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code self.log_dict({...})} of tensors and numbers with each hook's defaults, as Lightning's {@code log}. */
class LogDictTest {

    @TempDir
    Path dir;

    private static Tensor scalar(double v) {
        return torch.ones(1).mul(new Scalar(v));
    }

    private Trainer trainer() {
        return Trainer.builder().logger(CSVLogger.builder(dir).version(0).build()).maxEpochs(1).logEveryNSteps(1)
                .numSanityValSteps(0).build();
    }

    @Test
    void tensorsAndNumbersTakeTheTrainingStepDefaultsStepOnly() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("t", scalar(batchIdx * 2));
                values.put("n", batchIdx + 0.5);
                values.put("flag", batchIdx == 1);
                logDict(values);
                return super.trainingStep(batch, batchIdx);
            }
        };
        Trainer trainer = trainer();
        trainer.fit(m, Data.loader(30, 4, 10));
        MetricsCsv csv = MetricsCsv.version0(dir);
        assertEquals(List.of("epoch", "flag", "n", "step", "t", "train_loss"), csv.header());
        assertEquals(List.of("0.0,0.5,0,0.0", "1.0,1.5,1,2.0", "0.0,2.5,2,4.0"), csv.project("flag", "n", "step", "t"));
        assertFalse(trainer.callbackMetrics().containsKey("t_epoch"), "step-only, as log() in training_step");
        assertEquals(4.0, trainer.callbackMetrics().get("t"));
    }

    @Test
    void tensorsLoggedInValidationStepAreEpochMeans() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public void validationStep(Batch batch, int batchIdx) {
                logDict(Map.of("val_t", scalar(batchIdx)));
            }
        };
        Trainer trainer = trainer();
        trainer.fit(m, Data.loader(20, 4, 10), Data.loader(30, 4, 10));
        // (0 + 1 + 2) / 3, logged once at the epoch's end
        assertEquals(1.0, trainer.callbackMetrics().get("val_t"));
        assertEquals(List.of("1.0"), MetricsCsv.version0(dir).projectWhere("val_t", "val_t"));
    }

    @Test
    void explicitOptionsApplyToEveryValue() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                logDict(Map.of("t", scalar(batchIdx)), LogOptions.builder().onStep(false).onEpoch(true)
                        .progBar(true).build());
                return super.trainingStep(batch, batchIdx);
            }
        };
        Trainer trainer = trainer();
        trainer.fit(m, Data.loader(30, 4, 10));
        assertEquals(1.0, trainer.callbackMetrics().get("t"));
        assertEquals(1.0, trainer.progressBarMetrics().get("t"));
    }

    @Test
    void aValueThatIsNeitherNumberNorTensorNamesItsKeyAndType() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                logDict(Map.of("name", "abc"));
                return super.trainingStep(batch, batchIdx);
            }
        };
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer().fit(m, Data.loader(10, 4, 10)));
        assertEquals("`self.log(name, abc)` was called, but `String` values cannot be logged; logDict takes numbers"
                + " and scalar tensors", e.getMessage());
    }

    @Test
    void aTensorWithSeveralElementsIsRejected() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                logDict(Map.of("v", torch.ones(3)));
                return super.trainingStep(batch, batchIdx);
            }
        };
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer().fit(m, Data.loader(10, 4, 10)));
        assertTrue(e.getMessage().startsWith("log('v') needs a scalar (one element) tensor, got 3 elements"),
                e.getMessage());
    }
}
