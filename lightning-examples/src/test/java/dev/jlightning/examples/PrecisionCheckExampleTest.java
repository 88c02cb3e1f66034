package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU check's resume part, run on CPU in bf16-mixed: the resumed fit ends with the uninterrupted fit's weights. */
class PrecisionCheckExampleTest {

    @TempDir
    Path dir;

    @Test
    void aFitStoppedAndResumedInBf16MixedEndsBitIdenticalToTheUninterruptedOne() throws Exception {
        PrecisionCheckExample.ResumeCheck c = PrecisionCheckExample.resume(dir, "cpu", "bf16-mixed");
        assertTrue(c.exact(), "max weight difference " + c.maxWeightDifference());
        assertEquals("none", c.scaleAtResume());
    }

    @Test
    void launcherListsTheCheck() {
        assertTrue(Launcher.scenarios().containsKey("precision-check"));
    }
}
