package dev.jlightning.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted checkpoints with every checksum recomputed: named cases from each class of bad input, then seeded random
 * truncations, bit flips, pickle integer rewrites, stale CRCs and JSON field rewrites of a real checkpoint. They run
 * in a child JVM ({@link CheckpointFuzzMain}), so a crash in native code fails this test instead of the build. Every
 * variant is refused with a {@link CheckpointException} that left module, optimizer, scheduler and callback state
 * unchanged, or loads to exactly the values its archive holds.
 *
 * <p>The seed is fixed so CI is reproducible; {@code -Djlightning.fuzz.seed=N} and {@code -Djlightning.fuzz.count=N}
 * explore further.
 */
class CheckpointFuzzTest {

    private static final long SEED = Long.getLong("jlightning.fuzz.seed", 20261205L);
    private static final int COUNT = Integer.getInteger("jlightning.fuzz.count", 520);

    @TempDir
    static Path dir;
    private static Map<String, String> verdicts;
    private static String summary;
    private static String output;

    @BeforeAll
    static void runTheChildJvm() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CheckpointFuzzMain.class.getName());
        cmd.add(dir.toString());
        cmd.add(Long.toString(SEED));
        cmd.add(Integer.toString(COUNT));
        Path log = dir.resolve("fuzz.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        output = Files.readString(log, StandardCharsets.UTF_8);
        verdicts = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("VARIANT ")) {
                int bar = line.indexOf(" | ");
                verdicts.put(line.substring(8, bar), line.substring(bar + 3));
            } else if (line.startsWith("SUMMARY ")) {
                summary = line;
            }
        }
        assertTrue(done, "the fuzz run did not finish in 240 s:\n" + tail());
        assertEquals(0, p.exitValue(), "the child JVM failed (exit " + p.exitValue() + "; a crash ends without a"
                + " SUMMARY line):\n" + failures() + tail());
    }

    private static String tail() {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }

    private static String failures() {
        StringBuilder sb = new StringBuilder();
        verdicts.forEach((k, v) -> {
            if (v.startsWith("FAIL")) {
                sb.append(k).append(" -> ").append(v).append('\n');
            }
        });
        return sb.toString();
    }

    private static String verdict(String prefix) {
        return verdicts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no variant " + prefix + " in:\n" + tail()));
    }

    private static void assertRefused(String variant, String... fragments) {
        String v = verdict(variant);
        assertTrue(v.startsWith("REFUSED "), variant + ": " + v);
        for (String f : fragments) {
            assertTrue(v.contains(f), variant + ": expected '" + f + "' in " + v);
        }
    }

    @Test
    void everyVariantIsRefusedCleanlyOrLoadsTheArchivesValues() {
        assertTrue(summary != null && summary.contains("failed=0"), summary + "\n" + failures());
        long random = verdicts.keySet().stream().filter(k -> k.startsWith("random-")).count();
        assertTrue(random >= 500, "only " + random + " random variants ran");
        long refusedRandom = verdicts.entrySet().stream()
                .filter(e -> e.getKey().startsWith("random-") && e.getValue().startsWith("REFUSED")).count();
        assertTrue(refusedRandom > 100 && refusedRandom < random, "refused " + refusedRandom + " of " + random
                + ": the fuzzer should produce both refused and loadable variants");
    }

    @Test
    void storagesThatDoNotHoldTheirTensorsAreRefusedBeforeLibTorchReadsThem() {
        assertRefused("empty-data-record", "declares 64 F32 elements (256 bytes) but its entry archive/data/0 holds"
                + " 0 bytes");
        assertRefused("storage-offset-raised", "tensor 'state_dict.fc1.weight'", "reaches element 64",
                "storage holds 64 elements");
        assertRefused("strides-raised", "strides [127, 1]", "reaches element");
        assertRefused("data-record-cut-in-half", "holds 32 bytes");
        assertRefused("generator-state-cut-short", "rng_torch_cpu", "holds 100 bytes");
    }

    @Test
    void aChangedByteWithAStaleZipCrcIsRefused() {
        assertRefused("weight-byte-flipped-crc-stale", "archive/data/0 fails its CRC-32");
        verdicts.forEach((k, v) -> {
            if (k.contains("-stale-crc-")) {
                assertTrue(v.startsWith("REFUSED") && v.contains("fails its CRC"), k + ": " + v);
            }
        });
    }

    @Test
    void craftedValuesAreRefused() {
        assertRefused("global-step-negative", "'global_step' must be between 0 and 9007199254740992, got -5");
        assertRefused("global-step-max-long", "got 9223372036854775807");
        assertRefused("loop-global-step-negative", "loops.fit_loop.global_step must be between 0");
        assertRefused("scheduler-last-epoch-negative", "last_epoch=-100 is invalid");
        assertRefused("scheduler-gamma-infinite", "gamma=Infinity is invalid");
        assertRefused("scheduler-gamma-nan", "gamma=NaN is invalid");
        assertRefused("scheduler-three-base-lrs", "base_lrs", "one value per param group (1)");
        assertRefused("extras-initial-lr-text", "initial_lr] must be a finite number");
    }

    @Test
    void aRefusedSchedulerOrCallbackStateLeavesEverythingUnchanged() {
        // the child compared weights, optimizer, scheduler and callback state before and after each refusal
        assertRefused("scheduler-step-size-text", "lr scheduler 0 (StepLR) cannot take the saved state");
        assertRefused("scheduler-last-lr-text", "_last_lr");
        assertRefused("callback-refuses-its-state", "callback StrictCounter cannot take the saved state",
                "count must be an integer >= 0");
    }
}
