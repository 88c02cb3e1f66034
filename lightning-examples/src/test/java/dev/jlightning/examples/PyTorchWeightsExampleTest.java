package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.io.StateDictFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyTorchWeightsExampleTest {

    @Test
    void pytorchWeightsAreFineTunedAndExportedAsSafetensors(@TempDir Path dir) {
        PyTorchWeightsExample.Result r = PyTorchWeightsExample.run(dir);
        assertEquals(4, r.loadedKeys());
        assertTrue(r.finetunedLoss() < r.pretrainedLoss() / 2, r.toString());
        assertEquals(r.finetunedLoss(), r.reloadedLoss(), 0.0, "the export holds exactly the fine-tuned weights");
        assertTrue(Files.exists(r.exported()));
        try (StateDictFile f = StateDictFile.open(r.exported())) {
            assertEquals(4, f.tensors().size());
            assertEquals("pretrained_mlp.pt", f.hyperParameters().get("base"));
        }
        assertTrue(Launcher.scenarios().containsKey("pytorch-weights"));
    }
}
