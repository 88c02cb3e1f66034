package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.precision.MixedPrecision;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long runs keep resident memory flat: every tensor a step creates is freed by the step's scope, not by the GC.
 *
 * <p>Resident memory is sampled every 1,000 steps from step 2,000 to step 20,000. A leak grows it in every interval
 * (one leaked 32x32 float tensor per step is about 4 MiB per interval), so the test asserts on the median growth per
 * interval. The JIT compiler's arenas and the native allocator's arenas also grow resident memory, but in a few
 * one-off jumps, which a median ignores and a single before/after difference would not. The build runs this class
 * in its own JVM with the C1 compiler only and GC-driven deallocation off (see lightning-core's pom).
 */
class NativeMemoryTest {

    private static final int FIRST = 2000;
    private static final int EVERY = 1000;
    private static final int LAST = 20000;

    @TempDir
    Path dir;

    @Test
    void residentMemoryIsFlatOverTwentyThousandSteps() {
        assertFlat(Trainer.builder());
    }

    /** Autocast (its cast cache is cleared after every step) and the gradient scaler's per-step temporaries. */
    @Test
    void residentMemoryIsFlatWithAutocastAndAGradientScaler() {
        assertFlat(Trainer.builder().precision(MixedPrecision.of("16-mixed", DeviceType.CPU)));
    }

    private void assertFlat(TrainerConfig.Builder trainer) {
        List<Long> rss = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                long step = t.globalStep();
                if (step >= FIRST && step <= LAST && step % EVERY == 0) {
                    rss.add(Pointer.physicalBytes());
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
        trainer.defaultRootDir(dir).accelerator("cpu").maxSteps(LAST).numSanityValSteps(0)
                .logEveryNSteps(100).callbacks(probe).build()
                .fit(model, loader);
        assertEquals(LAST, model.trainer().orElseThrow().globalStep());
        assertEquals((LAST - FIRST) / EVERY + 1, rss.size());
        long[] growth = new long[rss.size() - 1];
        for (int i = 1; i < rss.size(); i++) {
            growth[i - 1] = (rss.get(i) - rss.get(i - 1)) / 1024;
        }
        long[] sorted = growth.clone();
        Arrays.sort(sorted);
        long median = sorted[sorted.length / 2];
        assertTrue(median <= 32, "resident memory grew by a median " + median + " KiB per " + EVERY
                + " steps; growth per interval in KiB: " + Arrays.toString(growth));
    }
}
