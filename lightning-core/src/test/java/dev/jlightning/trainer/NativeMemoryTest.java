package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long runs keep resident memory flat: every tensor a step creates is freed by the step's scope, not by the GC.
 *
 * <p>The build runs this class in its own JVM with the C1 compiler only and GC-driven deallocation off (see
 * lightning-core's pom): C2's compiler arenas add tens of MiB of resident memory at unpredictable moments, which
 * has nothing to do with tensors and would fake a leak. A leak of one 32x32 float tensor per step shows up as
 * about 100 MiB here.
 */
class NativeMemoryTest {

    @TempDir
    Path dir;

    @Test
    void residentMemoryIsFlatOverTwentyThousandSteps() {
        long[] rssAt2000 = new long[1];
        long[] rssAtEnd = new long[1];
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                if (t.globalStep() == 2000) {
                    rssAt2000[0] = Pointer.physicalBytes();
                }
                if (t.globalStep() == 20000) {
                    rssAtEnd[0] = Pointer.physicalBytes();
                }
            }
        };
        Mlp model = new Mlp(32, 64, 0.01) {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                // extra temporaries that the user never frees: the step scope must free them
                Tensor scratch = batch.x().mul(batch.x()).sum();
                log("scratch", scratch);
                return super.trainingStep(batch, batchIdx);
            }
        };
        DataLoader loader = DataLoader.builder(Data.regression(3200, 32, 3)).batchSize(32).shuffle(true).seed(1)
                .build();
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").maxSteps(20000).numSanityValSteps(0)
                .logEveryNSteps(100).callbacks(probe).build()
                .fit(model, loader);
        assertTrue(rssAt2000[0] > 0);
        long growth = rssAtEnd[0] - rssAt2000[0];
        assertTrue(growth < 8L * 1024 * 1024,
                "resident memory grew by " + growth / 1024 + " KiB between step 2000 and step 20000");
        assertEquals(20000, model.trainer().orElseThrow().globalStep());
    }
}
