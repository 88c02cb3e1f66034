package dev.jlightning.benchmarks;

import dev.jlightning.io.LoadOptions;
import dev.jlightning.io.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;

/**
 * Load throughput of weight files holding 100M float32 parameters (400 MB): safetensors and a {@code torch.save}
 * zip, both written by JLightning, read from the page cache (each file is loaded once before timing) into a module of
 * the same architecture ({@code Weights.load}: open, check every header and bound, copy from the mapping into the
 * parameters). Median of 5; GB/s counts parameter bytes (10^9 bytes per GB).
 *
 * <p>Run: {@code mvn -q -pl lightning-benchmarks -am -DskipTests package exec:exec
 * -Dbench=dev.jlightning.benchmarks.WeightsLoadBench}.
 */
public final class WeightsLoadBench {

    private static final int REPEATS = 5;

    private WeightsLoadBench() {
    }

    /** 10 layers of 2500 x 4000 + bias: 100,025,000 parameters. */
    static final class Big extends Module {
        Big() {
            for (int i = 0; i < 10; i++) {
                register_module("layer" + i, new LinearImpl(4000, 2500));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jlightning-weights-bench");
        Big model = new Big();
        long bytes = 10L * (2500 * 4000 + 2500) * 4;
        Path st = dir.resolve("big.safetensors");
        Path pt = dir.resolve("big.pt");
        long t0 = System.nanoTime();
        Weights.saveSafetensors(model, st, java.util.Map.of());
        long t1 = System.nanoTime();
        Weights.saveTorch(model, pt);
        long t2 = System.nanoTime();
        System.out.printf("parameters: 100,025,000 (%d bytes); write safetensors %.2f s, torch.save zip %.2f s%n",
                bytes, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        Big target = new Big();
        for (Path file : new Path[] {st, pt}) {
            Weights.load(target, file, LoadOptions.DEFAULT); // warm: page cache and JIT
            double[] seconds = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                long s = System.nanoTime();
                Weights.load(target, file, LoadOptions.DEFAULT);
                seconds[r] = (System.nanoTime() - s) / 1e9;
            }
            Arrays.sort(seconds);
            double median = seconds[REPEATS / 2];
            System.out.printf("%-18s load median %.3f s (min %.3f, max %.3f) = %.2f GB/s%n", file.getFileName(),
                    median, seconds[0], seconds[REPEATS - 1], bytes / median / 1e9);
        }
        Files.delete(st);
        Files.delete(pt);
        Files.delete(dir);
    }
}
