package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.JavaCppDefaults;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordingFile;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50,000-step fit in a JVM started without any flag (no fixed heap, no JavaCPP setting; the build gives this class
 * a JVM of its own, see lightning-core's pom) keeps native memory flat, as a user running the README's programs sees
 * it.
 *
 * <p>Native memory is the resident memory outside the Java heap and the JIT's code cache (whose address ranges the
 * JVM reports to Flight Recorder), read from {@code /proc/self/smaps} after {@code Pointer.trimMemory()} has handed
 * the allocator's free pages back to the system: what is left is memory something still holds, so a leaked tensor
 * shows and the heap growing into pages it had committed but not yet touched does not. The program starts like the
 * README's, with {@code Trainer.seedEverything}, so JLightning's JavaCPP default applies.
 */
class DefaultFlagsMemoryTest {

    private static final int FIRST = 2000;
    private static final int LAST = 50000;

    @TempDir
    Path dir;

    @Test
    void nativeMemoryIsFlatOverFiftyThousandStepsWithTheJvmsDefaultFlags() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux's /proc/self/smaps");
        List<String> inputArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        // the build runs it in a JVM of its own without flags; a -Dtest run in the other executions skips it
        assumeFalse(inputArgs.stream().anyMatch(a -> a.startsWith("-Xm") || a.contains("javacpp")),
                "runs without heap or JavaCPP flags only, got " + inputArgs);
        Trainer.seedEverything(1);
        long[][] ranges = heapAndCodeCacheRanges(dir.resolve("ranges.jfr"));
        long[] nativeBytes = new long[2];
        long[] heapCommitted = new long[2];
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                long step = t.globalStep();
                if (step == FIRST || step == LAST) {
                    int k = step == FIRST ? 0 : 1;
                    nativeBytes[k] = residentOutside(ranges);
                    heapCommitted[k] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
                }
            }
        };
        Mlp model = new Mlp(32, 64, 0.01);
        DataLoader loader = DataLoader.builder(Data.regression(3200, 32, 3)).batchSize(32).shuffle(true).seed(1)
                .build();
        Trainer.builder().defaultRootDir(dir).accelerator("cpu").maxSteps(LAST).numSanityValSteps(0)
                .logger(CSVLogger.of(dir)).enableProgressBar(false).enableModelSummary(false).callbacks(probe).build()
                .fit(model, loader);
        assertEquals(LAST, model.trainer().orElseThrow().globalStep());
        assertFalse(JavaCppDefaults.pointerGcEnabled(), "JLightning's JavaCPP default did not apply");
        double growth = (double) (nativeBytes[1] - nativeBytes[0]) / nativeBytes[0];
        String report = String.format(java.util.Locale.ROOT,
                "native memory outside heap and code cache: %.1f MiB at step %d, %.1f MiB at step %d (%+.2f%%);"
                        + " heap committed %.1f -> %.1f MiB", nativeBytes[0] / 1048576.0, FIRST,
                nativeBytes[1] / 1048576.0, LAST, 100 * growth, heapCommitted[0] / 1048576.0,
                heapCommitted[1] / 1048576.0);
        System.out.println(report);
        assertTrue(growth <= 0.01, report);
    }

    /** Sums the {@code Rss:} of every mapping of this process that does not overlap one of {@code excluded}. */
    static long residentOutside(long[][] excluded) {
        Pointer.trimMemory();
        long total = 0;
        boolean counting = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && isHex(line, 0, dash)) {
                    long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    counting = true;
                    for (long[] r : excluded) {
                        if (start < r[1] && end > r[0]) {
                            counting = false;
                        }
                    }
                } else if (counting && line.startsWith("Rss:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return total;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The Java heap's and the code cache's reserved address ranges, as the JVM reports them to Flight Recorder. */
    private static long[][] heapAndCodeCacheRanges(Path file) throws IOException {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.GCHeapSummary");
            recording.enable("jdk.CodeCacheConfiguration");
            recording.start();
            // one collection, before training, so that the heap summary event is emitted
            System.gc();
            recording.stop();
            recording.dump(file);
        }
        List<long[]> ranges = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.GCHeapSummary") && ranges.stream().noneMatch(r -> r[2] == 0)) {
                RecordedObject heap = e.getValue("heapSpace");
                ranges.add(new long[] {heap.getLong("start"), heap.getLong("reservedEnd"), 0});
            } else if (e.getEventType().getName().equals("jdk.CodeCacheConfiguration")) {
                ranges.add(new long[] {e.getLong("startAddress"), e.getLong("reservedTopAddress"), 1});
            }
        }
        assertTrue(ranges.stream().anyMatch(r -> r[2] == 0), "Flight Recorder reported no heap range");
        assertTrue(ranges.stream().anyMatch(r -> r[2] == 1), "Flight Recorder reported no code cache range");
        return ranges.toArray(new long[0][]);
    }
}
