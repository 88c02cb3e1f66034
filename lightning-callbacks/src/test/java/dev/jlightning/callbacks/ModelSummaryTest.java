package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/** The layer table of known modules, character for character in Lightning's format, and the callback at fit start. */
class ModelSummaryTest {

    @TempDir
    Path dir;

    /** Linear(32, 64) -> ReLU -> Linear(64, 1). */
    static class TwoLayer extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(32, 64));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 1));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor out = fc2.forward(relu(fc1.forward(batch.x())));
            return mse_loss(out, out.detach().add(new org.bytedeco.pytorch.Scalar(1.0)));
        }

        @Override
        public Object configureOptimizers() {
            return new SGD(parameters(), new SGDOptions(0.01));
        }
    }

    /** A Java block holding a linear layer and a batch norm. */
    static class Block extends Module {
        final LinearImpl proj;
        final BatchNorm1dImpl norm;

        Block() {
            proj = register_module("proj", new LinearImpl(8, 8));
            norm = register_module("norm", new BatchNorm1dImpl(new BatchNormOptions(8)));
        }
    }

    static class Nested extends TwoLayer {
        final Block block = register_module("block", new Block());
        final Tensor scale = register_parameter("scale", org.bytedeco.pytorch.global.torch.ones(3));
    }

    @Test
    void tableOfAnMlpMatchesLightningsLayout() {
        ModelSummaryTable s = ModelSummaryTable.of(new TwoLayer(), 1);
        // 32*64 + 64 = 2,112 and 64 + 1 = 65
        assertEquals(List.of(new LayerSummary("fc1", "Linear", 2112, 2112, true),
                new LayerSummary("fc2", "Linear", 65, 65, true)), s.layers());
        assertEquals(2177, s.totalParameters());
        assertEquals(2177, s.trainableParameters());
        assertEquals(2177 * 4e-6, s.modelSizeMb());
        assertEquals(String.join("\n",
                "  | Name | Type   | Params | Mode ",
                "----------------------------------------",
                "0 | fc1  | Linear | 2.1 K  | train",
                "1 | fc2  | Linear | 65     | train",
                "----------------------------------------",
                "2.2 K     Trainable params",
                "0         Non-trainable params",
                "2.2 K     Total params",
                "0.009     Total estimated model params size (MB)",
                "2         Modules in train mode",
                "0         Modules in eval mode"), s.toString());
    }

    @Test
    void depthFrozenParametersEvalModeAndLooseParameters() {
        Nested model = new Nested();
        model.block.proj.weight().requires_grad_(false);
        model.block.norm.eval();

        ModelSummaryTable top = ModelSummaryTable.of(model, 1);
        // block: proj 64 + 8, norm 8 + 8 parameters (its running stats are buffers); "scale" belongs to no layer
        assertEquals(List.of("fc1", "fc2", "block"), top.layers().stream().map(LayerSummary::name).toList());
        assertEquals(new LayerSummary("block", "Block", 88, 24, true), top.layers().get(2));
        assertEquals(2177 + 88 + 3, top.totalParameters());
        assertEquals(64, top.nonTrainableParameters());
        assertEquals(4, top.modulesInTrainMode());
        assertEquals(1, top.modulesInEvalMode());
        String table = top.toString();
        assertTrue(table.contains("\n  | other params | n/a    | 3      | n/a  "), table);
        assertTrue(table.contains("\n64        Non-trainable params"), table);

        ModelSummaryTable all = ModelSummaryTable.of(model, -1);
        assertEquals(List.of("fc1", "fc2", "block", "block.proj", "block.norm"),
                all.layers().stream().map(LayerSummary::name).toList());
        assertEquals(new LayerSummary("block.norm", "BatchNorm1d", 16, 16, false), all.layers().get(4));
        assertEquals(new LayerSummary("block.proj", "Linear", 72, 8, true), all.layers().get(3));

        assertEquals(List.of(), ModelSummaryTable.of(model, 0).layers());
        assertEquals(5, ModelSummaryTable.of(model, 2).layers().size());
    }

    @Test
    void humanReadableCountsAsLightning() {
        assertEquals("0  ", ModelSummaryTable.humanReadableCount(0));
        assertEquals("123  ", ModelSummaryTable.humanReadableCount(123));
        assertEquals("1.2 K", ModelSummaryTable.humanReadableCount(1234));
        // 2.25 is exact in binary; Python rounds half to even
        assertEquals("2.2 K", ModelSummaryTable.humanReadableCount(2250));
        assertEquals("132 K", ModelSummaryTable.humanReadableCount(132_096));
        assertEquals("2.0 M", ModelSummaryTable.humanReadableCount(2_000_000));
        assertEquals("3.0 B", ModelSummaryTable.humanReadableCount(3_000_000_000L));
        assertEquals("400 T", ModelSummaryTable.humanReadableCount(400_000_000_000_000L));
        assertEquals("5,000 T", ModelSummaryTable.humanReadableCount(5_000_000_000_000_000L));
    }

    @Test
    void theCallbackSummarizesAtFitStartAndDepthZeroPrintsNothing() {
        ModelSummary summary = new ModelSummary();
        ModelSummary silent = new ModelSummary(0);
        try (ClassLogCapture log = new ClassLogCapture(ModelSummary.class)) {
            Trainer.builder().defaultRootDir(dir).logger(false).enableProgressBar(false).maxSteps(1)
                    .callbacks(summary, silent).build().fit(new TwoLayer(), BoringModel.data(2));
            assertEquals(2177, summary.lastSummary().orElseThrow().totalParameters());
            assertTrue(silent.lastSummary().isEmpty());
            assertEquals(1, log.messages().size(), log.messages().toString());
            assertTrue(log.messages().get(0).startsWith("INFO \n  | Name | Type   | Params | Mode "));
        }
        assertThrows(MisconfigurationException.class, () -> new ModelSummary(-2));
    }
}
