package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples write under {@code ./lightning_logs}, or under {@code --root-dir}, and print where. */
class RootDirTest {

    @Test
    void withoutArgumentsTheRootIsTheWorkingDirectory() {
        assertEquals(Path.of("."), RootDir.parse(new String[0]));
        assertEquals(Path.of(".", "lightning_logs"), RootDir.lightningLogs(RootDir.parse(new String[0])));
    }

    @Test
    void theRootComesFromTheOptionInEitherSpellingOrAFirstPlainArgument() {
        assertEquals(Path.of("/tmp/runs"), RootDir.parse(new String[] {"--root-dir", "/tmp/runs"}));
        assertEquals(Path.of("/tmp/runs"), RootDir.parse(new String[] {"--root-dir=/tmp/runs"}));
        assertEquals(Path.of("runs"), RootDir.parse(new String[] {"runs"}));
    }

    @Test
    void badArgumentsSayWhatIsAccepted() {
        assertEquals("--root-dir needs a directory, e.g. --root-dir /tmp/runs",
                assertThrows(IllegalArgumentException.class, () -> RootDir.parse(new String[] {"--root-dir"}))
                        .getMessage());
        assertEquals("unknown argument '--epochs'; the examples take --root-dir DIR (default: the working directory)",
                assertThrows(IllegalArgumentException.class, () -> RootDir.parse(new String[] {"--epochs"}))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RootDir.parse(new String[] {"a", "--root-dir=b"})).getMessage().contains("given twice"));
    }

    @Test
    void theLauncherRunsAnExampleUnderTheRootDirAndPrintsTheLogDirectory(@TempDir Path root) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Launcher.main(new String[] {"linear-regression", "--root-dir", root.toString()});
        } finally {
            System.setOut(original);
        }
        Path logDir = root.resolve("lightning_logs/version_0").toAbsolutePath().normalize();
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("logs: " + logDir + System.lineSeparator()), out);
        assertTrue(Files.isRegularFile(logDir.resolve("metrics.csv")));
        // Lightning's default checkpoint of the last epoch
        assertTrue(Files.isRegularFile(logDir.resolve("checkpoints/epoch=49-step=1600.ckpt")));
    }
}
