package dev.jlightning.benchmarks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.trainer.Trainer;
import java.util.Optional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Cost and gain of DDP on CPU: µs per training step and samples per second of an MLP (512 → 2048 → 2048 → 10,
 * one intra-op and one OpenBLAS thread per process), measured in fresh JVMs.
 *
 * <p>Without arguments it runs 3 interleaved rounds of five measurements: no strategy, {@code strategy("ddp")} with
 * 1 process and with 2 processes at batch 64 per rank, then no strategy and 2 processes at batch 512 per rank, where
 * the step is compute-bound (the all-reduced gradient, 21 MB, is the same for every batch size, so a small batch
 * measures the all-reduce as much as the scaling). Each round prints the ratios ddp1 ÷ no strategy (µs per step) and
 * ddp2 ÷ no strategy (samples per second); the medians follow. Run:
 * {@code mvn -B -q -pl lightning-benchmarks -am -DskipTests package exec:exec
 * -Dbench=dev.jlightning.benchmarks.DdpBench}.
 *
 * <p>With arguments it is one measurement: {@code single} (no strategy), {@code ddp1} or {@code ddp2}; steps
 * (default 300); batch size per rank (default 64). It prints {@code variant us_per_step samples_per_s} from rank 0,
 * timing the steps after the first 30.
 */
public final class DdpBench {

    static final class Net extends LightningModule {
        final LinearImpl a = register_module("a", new LinearImpl(512, 2048));
        final LinearImpl b = register_module("b", new LinearImpl(2048, 2048));
        final LinearImpl c = register_module("c", new LinearImpl(2048, 10));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor h = torch.relu(b.forward(torch.relu(a.forward(batch.x()))));
            return torch.cross_entropy(c.forward(h), batch.y());
        }

        @Override
        public Object configureOptimizers() {
            return new SGD(parameters(), new SGDOptions(0.01));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            rounds(3);
            return;
        }
        String variant = args[0];
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int devices = variant.equals("ddp2") ? 2 : 1;
        // one thread per process in LibTorch's pool and in OpenBLAS's, which computes the float32 matrix products
        // and which torch.set_num_threads does not reach
        torch.set_num_threads(1);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        Trainer.seedEverything(1);
        int n = batch * devices * steps;
        DataLoader train = DataLoader.builder(new TensorDataset(torch.randn(n, 512),
                torch.randint(10, new long[] {n}))).batchSize(batch).build();
        long[] t = new long[2];
        Callback timer = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                    int batchIdx) {
                if (batchIdx == 29) {
                    t[0] = System.nanoTime();
                }
                t[1] = System.nanoTime();
            }
        };
        Trainer.builder().devices(devices).strategy(variant.equals("single") ? "single_device" : "ddp")
                .accelerator("cpu").maxEpochs(1).logger(false).enableProgressBar(false).enableModelSummary(false)
                .enableCheckpointing(false).callbacks(timer).build().fit(new Net(), train);
        double us = (t[1] - t[0]) / 1e3 / (steps - 30);
        if (dev.jlightning.strategy.RankZero.isRankZero()) {
            System.out.printf(java.util.Locale.ROOT, "%s %.1f %.0f%n", variant, us,
                    (double) batch * devices / (us / 1e6));
        }
    }

    /** Interleaved rounds in fresh JVMs, with the ratios per round and their medians. */
    private static void rounds(int rounds) throws Exception {
        double[] ddp1 = new double[rounds];
        double[] small = new double[rounds];
        double[] large = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] single64 = fork("single", 120, 64);
            double[] ddp164 = fork("ddp1", 120, 64);
            double[] ddp264 = fork("ddp2", 120, 64);
            double[] single512 = fork("single", 60, 512);
            double[] ddp2512 = fork("ddp2", 60, 512);
            ddp1[r] = ddp164[0] / single64[0];
            small[r] = ddp264[1] / single64[1];
            large[r] = ddp2512[1] / single512[1];
            System.out.printf(java.util.Locale.ROOT, "round %d  batch 64: single %.1f ms, ddp1 %.1f ms (x%.3f),"
                    + " ddp2 %.0f vs %.0f samples/s (x%.2f)  batch 512: ddp2 %.0f vs %.0f samples/s (x%.2f)%n",
                    r + 1, single64[0] / 1e3, ddp164[0] / 1e3, ddp1[r], ddp264[1], single64[1], small[r],
                    ddp2512[1], single512[1], large[r]);
        }
        System.out.printf(java.util.Locale.ROOT, "median: ddp1 / no strategy x%.3f (us per step); ddp2 / no strategy"
                + " x%.2f at batch 64, x%.2f at batch 512 (samples per second)%n", median(ddp1), median(small),
                median(large));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Runs one measurement in a fresh JVM with this JVM's flags; returns µs per step and samples per second. */
    private static double[] fork(String variant, int steps, int batch) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DdpBench.class.getName());
        cmd.add(variant);
        cmd.add(Integer.toString(steps));
        cmd.add(Integer.toString(batch));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder all = new StringBuilder();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                all.append(line).append('\n');
                if (line.startsWith(variant + " ")) {
                    result = line;
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException(variant + " failed:\n" + all);
        }
        String[] f = result.split(" ");
        return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    private DdpBench() {
    }
}
