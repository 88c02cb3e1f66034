package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.checkpoint.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training JVM with SIGKILL at seeded random moments while ModelCheckpoint writes {@code last.ckpt} after
 * every step: after every kill the newest checkpoint loads, and resuming to the end gives the same final weights,
 * bit for bit, as a run that was never killed.
 */
class CrashSafetyTest {

    private static final int EPOCHS = 3;
    private static final int KILLS = 20;

    @TempDir
    Path dir;

    /** A child JVM running {@link KilledTrainingMain} over {@code ckptDir}. */
    private static Process start(Path ckptDir, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-X") || arg.startsWith("-D") || arg.startsWith("--enable-native-access")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KilledTrainingMain.class.getName());
        cmd.add(ckptDir.toString());
        cmd.add(String.valueOf(EPOCHS));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Runs a child to completion and returns its final weights line. */
    private static String runToEnd(Path ckptDir, Path log) throws Exception {
        Process p = start(ckptDir, log);
        String weights = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("weights")) {
                    weights = line;
                }
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), () -> "child failed, see " + log + ":\n" + readQuietly(log));
        assertNotNull(weights, "child printed its weights");
        return weights;
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void sigkillAtRandomMomentsNeverCostsTheLastGoodCheckpoint() throws Exception {
        Path log = dir.resolve("children.log");
        String reference = runToEnd(dir.resolve("uninterrupted"), log);

        Path ckptDir = dir.resolve("killed");
        Path last = ckptDir.resolve("last.ckpt");
        Random random = new Random(20260521L);
        long previousStep = -1;
        int kills = 0;
        while (kills < KILLS) {
            Process p = start(ckptDir, log);
            int linesBeforeKill = random.nextInt(6);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                // let the child reach a seeded-random step, then kill it in the middle of what follows
                for (int i = 0; i < linesBeforeKill && out.readLine() != null; i++) {
                    // reading is what paces the kill
                }
                p.destroyForcibly();
            }
            p.waitFor(60, TimeUnit.SECONDS);
            kills++;
            if (Files.exists(last)) {
                Checkpoint c = new AtomicCheckpointIO().load(last);
                assertTrue(c.globalStep() >= previousStep, "progress is never lost: " + c.globalStep() + " < "
                        + previousStep);
                previousStep = c.globalStep();
            }
        }
        assertTrue(previousStep > 0, "the killed runs made progress");
        String resumed = runToEnd(ckptDir, log);
        assertEquals(reference, resumed);
    }
}
