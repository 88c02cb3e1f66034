package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong input fails with a clear exception, never a JVM crash. */
class BadInputTest {

    @TempDir
    Path dir;

    private Trainer trainer() {
        return Trainer.builder().defaultRootDir(dir).logger(false).accelerator("cpu").maxEpochs(1).build();
    }

    @Test
    void trainingStepReturningNull() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                return null;
            }
        };
        var e = assertThrows(MisconfigurationException.class, () -> trainer().fit(m, Data.loader(20, 4, 10)));
        assertTrue(e.getMessage().contains("trainingStep returned null at batch 0"), e.getMessage());
    }

    @Test
    void nonScalarLoss() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                return forward(batch.x()).sub(batch.y());
            }
        };
        var e = assertThrows(MisconfigurationException.class, () -> trainer().fit(m, Data.loader(20, 4, 10)));
        assertTrue(e.getMessage().contains("must return a scalar loss"), e.getMessage());
        assertTrue(e.getMessage().contains("[10, 1]"), e.getMessage());
    }

    @Test
    void lossThatDoesNotRequireGrad() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                return super.trainingStep(batch, batchIdx).detach();
            }
        };
        var e = assertThrows(MisconfigurationException.class, () -> trainer().fit(m, Data.loader(20, 4, 10)));
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void emptyDataLoader() {
        DataLoader empty = DataLoader.builder(Data.regression(5, 4, 1)).batchSize(10).dropLast(true).build();
        var e = assertThrows(MisconfigurationException.class, () -> trainer().fit(new Mlp(4, 8, 0.1), empty));
        assertTrue(e.getMessage().contains("training DataLoader is empty"), e.getMessage());
    }

    @Test
    void batchSizeBelowOne() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(Data.regression(5, 4, 1)).batchSize(0));
        assertEquals("batch_size should be a positive integer value, but got batch_size=0", e.getMessage());
    }

    @Test
    void maxEpochsBelowMinEpochs() {
        var e = assertThrows(MisconfigurationException.class,
                () -> Trainer.builder().maxEpochs(2).minEpochs(5).build());
        assertEquals("`max_epochs` (2) must be >= `min_epochs` (5)", e.getMessage());
    }

    @Test
    void unknownAccelerator() {
        var e = assertThrows(MisconfigurationException.class, () -> Trainer.builder().accelerator("tpu"));
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("[cpu, cuda, gpu, auto]"),
                e.getMessage());
    }

    @Test
    void cudaWithoutGpuFailsWhenTheTrainerIsBuilt() {
        if (AcceleratorConnector.cudaAvailable()) {
            assertEquals("cuda:0", Trainer.builder().accelerator("cuda").build().config().deviceSpec());
            return;
        }
        var e = assertThrows(MisconfigurationException.class, () -> Trainer.builder().accelerator("cuda").build());
        assertTrue(e.getMessage().contains("CUDA is not available"), e.getMessage());
        assertEquals("cpu", Trainer.builder().accelerator("auto").build().config().deviceSpec());
    }

    @Test
    void otherInvalidTrainerOptions() {
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().accumulateGradBatches(0));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().limitTrainBatches(1.5));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().limitTrainBatches(-1));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().gradientClipVal(-1));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().gradientClipAlgorithm("l1"));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().valCheckInterval(0.0));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().devices(0));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().strategy("single_device").devices(2)
                .build());
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().strategy("ddp_spawn"));
        assertThrows(MisconfigurationException.class, () -> Trainer.builder().maxSteps(-2));
        var tooSmall = assertThrows(MisconfigurationException.class, () -> Trainer.builder().defaultRootDir(dir)
                .logger(false).limitTrainBatches(0.01).build().fit(new Mlp(4, 8, 0.1), Data.loader(20, 4, 10)));
        assertTrue(tooSmall.getMessage().contains("limit_train_batches"), tooSmall.getMessage());
    }

    @Test
    void logOutsideOfAStep() {
        Mlp m = new Mlp(4, 8, 0.1);
        var e = assertThrows(MisconfigurationException.class, () -> m.log("x", 1.0));
        assertTrue(e.getMessage().contains("attached to a Trainer"), e.getMessage());
    }
}
