package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.io.LoadOptions;
import dev.jlightning.io.LoadResult;
import dev.jlightning.io.WeightsFormat;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint's exportWeights: weights in a Python-readable format next to each checkpoint, removed with it. */
class ModelCheckpointExportTest {

    @TempDir
    Path dir;

    private List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void safetensorsFollowEachKeptCheckpointAndLeaveWithIt() throws IOException {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("ck")).saveLast(true)
                .exportWeights(WeightsFormat.SAFETENSORS).build();
        TinyNet net = new TinyNet();
        Trainer.builder().maxEpochs(3).numSanityValSteps(0).defaultRootDir(dir)
                .logger(CSVLogger.builder(dir).version(0).build()).callbacks(mc).build()
                .fit(net, TinyNet.data(12, 4, 1));
        // save_top_k=1 without a monitor keeps the latest epoch only; its weights file went with each removal
        assertEquals(List.of("epoch=2-step=9.ckpt", "epoch=2-step=9.safetensors", "last.ckpt", "last.safetensors"),
                files(dir.resolve("ck")));
        TinyNet loaded = new TinyNet();
        LoadResult r = loaded.loadStateDict(dir.resolve("ck/last.safetensors"), LoadOptions.DEFAULT);
        assertEquals(2, r.loadedKeys());
        assertTrue(org.bytedeco.pytorch.global.torch.equal(net.fc.weight(), loaded.fc.weight()));
    }

    @Test
    void lightningShapedExportCarriesTheTrainersCounters() throws IOException {
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir.resolve("ck"))
                .exportWeights(WeightsFormat.LIGHTNING_CHECKPOINT).build();
        Trainer.builder().maxEpochs(2).numSanityValSteps(0).defaultRootDir(dir)
                .logger(CSVLogger.builder(dir).version(0).build()).callbacks(mc).build()
                .fit(new TinyNet(), TinyNet.data(12, 4, 1));
        assertEquals(List.of("epoch=1-step=6.ckpt", "epoch=1-step=6.lightning.pt"), files(dir.resolve("ck")));
        LoadResult r = new TinyNet().loadStateDict(dir.resolve("ck/epoch=1-step=6.lightning.pt"), LoadOptions.DEFAULT);
        assertEquals(WeightsFormat.LIGHTNING_CHECKPOINT, r.format());
        assertEquals(1L, r.extras().get("epoch"));
        assertEquals(6L, r.extras().get("global_step"));
    }
}
