package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.testing.MetricsCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DDP on Gloo with real processes on loopback: a 2-process fit with per-rank batch 16 ends with the weights and the
 * learning-rate trace of a 1-process fit with batch 32, launched by the Trainer itself or torchrun-style; a killed
 * rank ends the job quickly, naming the rank.
 */
class DistributedTrainingTest {

    @TempDir
    Path dir;

    private static List<String> javaCommand(String... args) {
        return javaCommand(DdpTrainingMain.class, args);
    }

    private static List<String> javaCommand(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-D") || arg.startsWith("--enable-native-access") || arg.startsWith("-Xss")) {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Process start(Path out, Map<String, String> env, String... args) throws IOException {
        Files.createDirectories(out);
        ProcessBuilder pb = new ProcessBuilder(javaCommand(args)).redirectErrorStream(true)
                .redirectOutput(out.resolve("console.log").toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void finish(Process p, Path out) throws Exception {
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "run finished");
        assertEquals(0, p.exitValue(), () -> "run failed:\n" + read(out.resolve("console.log")));
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static double[] numbers(String line) {
        String[] parts = line.trim().split(" ");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }

    private static void assertClose(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
    }

    private Path run(String name, int devices, int accumulate, String... flags) throws Exception {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of(out.toString(), Integer.toString(devices),
                Integer.toString(accumulate), "4", "-1"));
        args.addAll(List.of(flags));
        finish(start(out, Map.of(), args.toArray(new String[0])), out);
        return out;
    }

    private static void assertSameRun(Path single, Path ddp) throws IOException {
        List<String> one = Files.readAllLines(single.resolve("rank0.txt"));
        List<String> r0 = Files.readAllLines(ddp.resolve("rank0.txt"));
        List<String> r1 = Files.readAllLines(ddp.resolve("rank1.txt"));
        assertEquals(r0.get(0), r1.get(0), "both replicas hold identical weights");
        assertClose(numbers(one.get(0)), numbers(r0.get(0)), 1e-5, "weights");
        assertEquals(one.get(1), r0.get(1), "learning-rate trace");
        assertEquals(one.get(1), r1.get(1), "learning-rate trace of rank 1");
        assertEquals(one.get(2).split(" ")[0], r0.get(2).split(" ")[0], "global step");
        assertEquals("2", r0.get(2).split(" ")[1], "world size");
    }

    @Test
    void twoProcessesWithHalfTheBatchEqualOneProcess() throws Exception {
        Path single = run("single", 1, 1);
        Path ddp = run("ddp", 2, 1);
        assertSameRun(single, ddp);
        // one metrics.csv, written by rank 0, with one row per step as the 1-process run and the synced loss
        MetricsCsv a = MetricsCsv.version0(single);
        MetricsCsv b = MetricsCsv.version0(ddp);
        assertEquals(a.masked("train_loss"), b.masked("train_loss"), "same rows and steps");
        List<String> la = a.project("train_loss");
        List<String> lb = b.project("train_loss");
        assertEquals(la.size(), lb.size());
        for (int i = 0; i < la.size(); i++) {
            assertEquals(Double.parseDouble(la.get(i)), Double.parseDouble(lb.get(i)), 1e-5, "train_loss row " + i);
        }
        assertTrue(Files.notExists(ddp.resolve("lightning_logs").resolve("version_1")), "rank 1 wrote no log");
    }

    @Test
    void ddpWithOneProcessEqualsNoStrategyExactly() throws Exception {
        Path single = run("single", 1, 1);
        Path ddp = run("ddp1", 1, 1, "ddp");
        List<String> a = Files.readAllLines(single.resolve("rank0.txt"));
        List<String> b = Files.readAllLines(ddp.resolve("rank0.txt"));
        assertEquals(a.get(0), b.get(0), "weights, digit for digit");
        assertEquals(a.get(1), b.get(1), "learning-rate trace");
        assertEquals("1", b.get(2).split(" ")[1], "world size");
        assertEquals(MetricsCsv.version0(single).text(), MetricsCsv.version0(ddp).text(), "metrics.csv");
    }

    @Test
    void gradientAccumulationSkipsSyncOnNonSteppingBatches() throws Exception {
        assertSameRun(run("single-acc", 1, 2), run("ddp-acc", 2, 2));
    }

    @Test
    void adamWWithOneCyclePerStepMatchesOneProcess() throws Exception {
        assertSameRun(run("single-adamw", 1, 1, "adamw"), run("ddp-adamw", 2, 1, "adamw"));
    }

    @Test
    void adamWWithOneCycleAndAccumulationMatchesOneProcess() throws Exception {
        assertSameRun(run("single-adamw-acc", 1, 2, "adamw"), run("ddp-adamw-acc", 2, 2, "adamw"));
    }

    @Test
    void killedRankThenResumeFromLastEndsWithTheUninterruptedWeights() throws Exception {
        Path uninterrupted = run("uninterrupted", 2, 1, "adamw", "ckpt");
        Path out = dir.resolve("crashed");
        Files.createDirectories(out);
        // 4 optimizer steps an epoch: step 10 is inside the third epoch, after "last" was saved at step 8
        Process job = new ProcessBuilder(javaCommand(out.toString(), "2", "1", "4", "10", "adamw", "ckpt"))
                .redirectErrorStream(true).start();
        StringBuilder console = new StringBuilder();
        boolean killed = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(job.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                console.append(line).append('\n');
                if (!killed && line.startsWith("rank 1 pid ")) {
                    // rank 1 waits at step 10 for this kill, so "last" on disk is the one saved at step 8
                    ProcessHandle.of(Long.parseLong(line.substring("rank 1 pid ".length()).trim())).orElseThrow()
                            .destroyForcibly();
                    killed = true;
                    assertTrue(job.waitFor(30, TimeUnit.SECONDS), "the job ended within 30 s of the kill");
                }
            }
        }
        assertTrue(killed, "rank 1 reached the kill step:\n" + console);
        assertTrue(job.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, job.exitValue(), "the job failed");
        assertTrue(Files.notExists(out.resolve("rank0.txt")), "the crashed run did not finish");
        assertTrue(Files.exists(out.resolve("ckpt").resolve("last.ckpt")), "last.ckpt survived the crash");

        Path resumed = out;
        finish(start(resumed, Map.of(), resumed.toString(), "2", "1", "4", "-1", "adamw", "ckpt", "resume"),
                resumed);
        List<String> expected = Files.readAllLines(uninterrupted.resolve("rank0.txt"));
        for (int rank = 0; rank < 2; rank++) {
            List<String> actual = Files.readAllLines(resumed.resolve("rank" + rank + ".txt"));
            assertClose(numbers(expected.get(0)), numbers(actual.get(0)), 1e-6, "rank " + rank + " weights");
            assertEquals(expected.get(2), actual.get(2), "global step and world size");
            // the resumed run records the learning rates of the steps after the restored epoch 2
            String tail = String.join(" ", List.of(expected.get(1).trim().split(" ")).subList(8, 16));
            assertEquals(tail, actual.get(1).trim(), "learning rates of the resumed steps");
        }
    }

    @Test
    void torchrunStyleEnvironmentEqualsTheSelfLaunchedRun() throws Exception {
        Path self = run("self", 2, 1);
        Path out = dir.resolve("torchrun");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Process> ranks = new ArrayList<>();
        for (int rank = 0; rank < 2; rank++) {
            Map<String, String> env = Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port),
                    "WORLD_SIZE", "2", "RANK", Integer.toString(rank), "LOCAL_RANK", Integer.toString(rank),
                    "GROUP_RANK", "0", "LOCAL_WORLD_SIZE", "2");
            ranks.add(start(out.resolve("r" + rank), env, out.toString(), "2", "1", "4", "-1"));
        }
        for (int rank = 0; rank < 2; rank++) {
            finish(ranks.get(rank), out.resolve("r" + rank));
        }
        assertEquals(Files.readString(self.resolve("rank0.txt")), Files.readString(out.resolve("rank0.txt")));
        assertEquals(Files.readString(self.resolve("rank1.txt")), Files.readString(out.resolve("rank1.txt")));
    }

    @Test
    void decisionsOnAnUnsyncedMetricAreIdenticalOnEveryRank() throws Exception {
        Path out = dir.resolve("decisions");
        Files.createDirectories(out);
        Process p = new ProcessBuilder(javaCommand(DdpDecisionsMain.class, out.toString())).redirectErrorStream(true)
                .redirectOutput(out.resolve("console.log").toFile()).start();
        finish(p, out);
        List<String> r0 = Files.readAllLines(out.resolve("decisions0.txt"));
        List<String> r1 = Files.readAllLines(out.resolve("decisions1.txt"));
        assertEquals(r0, r1, "learning rates, stopping epoch and best checkpoint agree on both ranks");
        // rank 0's metric improves until epoch 3 and then stalls: the plateau (patience 0) halves the lr after epoch
        // 4 and EarlyStopping (patience 2) stops after epoch 5; rank 1's own metric, never improving, would have
        // halved its lr after epoch 1 and stopped after epoch 2
        assertEquals("[0.05, 0.05, 0.05, 0.05, 0.05, 0.025]", r0.get(0));
        assertEquals("6", r0.get(1));
        assertTrue(read(out.resolve("console.log")).contains("sync_dist=True"), "Lightning's warning is shown");
        try (var versions = Files.list(out.resolve("lightning_logs"))) {
            assertEquals(List.of("version_0"), versions.map(v -> v.getFileName().toString()).toList());
        }
        try (var ckpts = Files.list(out.resolve("ckpt"))) {
            assertEquals(1, ckpts.count(), "one best checkpoint, written by rank 0");
        }
    }

    @Test
    void killedRankEndsTheJobNamingTheRank() throws Exception {
        Path out = dir.resolve("killed");
        Files.createDirectories(out);
        Process job = new ProcessBuilder(javaCommand(out.toString(), "2", "1", "1000", "3"))
                .redirectErrorStream(true).start();
        StringBuilder console = new StringBuilder();
        long pid = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(job.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                console.append(line).append('\n');
                if (pid < 0 && line.startsWith("rank 1 pid ")) {
                    pid = Long.parseLong(line.substring("rank 1 pid ".length()).trim());
                    long killedAt = System.nanoTime();
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    assertTrue(job.waitFor(30, TimeUnit.SECONDS), "the job ended within 30 s of the kill");
                    assertTrue(System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(30));
                }
            }
        }
        assertTrue(pid > 0, "rank 1 reported its pid:\n" + console);
        assertTrue(job.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, job.exitValue(), "the job failed");
        assertTrue(console.toString().contains("Rank 1 (pid " + pid + ") exited with code"), console.toString());
    }
}
