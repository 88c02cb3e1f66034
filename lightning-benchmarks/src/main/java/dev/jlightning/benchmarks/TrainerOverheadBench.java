package dev.jlightning.benchmarks;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.DataOrderGenerator;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * Per-step cost of {@code Trainer.fit} against a hand-written LibTorch loop doing the same math, under the JVM's
 * default flags and under JavaCPP's tuned flags.
 *
 * <p>Workload: MLP 32→64→1, batch 32, in-memory data shuffled once per epoch, SGD with momentum 0.9, StepLR stepped
 * every batch ({@code "interval": "step"}), one intra-op thread, one long epoch. Each measurement is a fresh JVM that
 * trains {@value #WARMUP} warm-up steps and then times the next 2,000 (or the given count) inside the same run, so
 * JIT warm-up, setup, the end-of-fit checkpoint and logger teardown are outside the window. The warm-up is long
 * because the code that runs once per logging interval (the CSV row, the learning-rate lookup: every 50 steps) is
 * interpreted until HotSpot has seen it a few hundred times; with 5,000 warm-up steps it still was, and a logging
 * step then cost about 400 µs more than a plain one (6 to 8 µs per step) where it costs about 110 µs (2 µs per
 * step) once compiled. Runs of a few thousand steps see that early cost; the ratios here are the steady state of a
 * long run. Three variants:
 * <ul>
 *   <li>{@code raw}: a hand-written loop over bytedeco (gather through batch views of the epoch's index split once,
 *       as the Trainer's DataLoader does; forward, MSE, zero_grad, backward, step, lr set by
 *       hand when StepLR would change it, {@code loss.item()}), one {@link PointerScope} per step;</li>
 *   <li>{@code bare}: {@code Trainer} without logger, progress bar or model summary, {@code log("train_loss")}
 *       every step;</li>
 *   <li>{@code logged}: the same plus {@code CSVLogger} and {@code LearningRateMonitor} (rows every
 *       {@code logEveryNSteps} = 50 steps, as by default).</li>
 * </ul>
 * and two sets of JVM flags: {@code default} (none, what a user running {@code java -cp ... Main} gets; the Trainer
 * variants call {@code Trainer.seedEverything} first, as the README's programs do) and {@code tuned}
 * ({@code -Dorg.bytedeco.javacpp.nopointergc=true -Dorg.bytedeco.javacpp.maxPhysicalBytes=0}). The rounds interleave
 * all six, so slow phases of a shared machine hit them alike.
 *
 * <p>Each JVM times its window in blocks of 100 steps (two logging steps each) and reports the median block: a
 * process that takes the core for a few milliseconds spoils one block and not the measurement, which on a shared
 * machine it otherwise did (single windows 40% slower than their neighbours in the same round). Printed per round:
 * that µs per step (wall clock) and the ratio to the raw loop under the same flags and to the raw loop under the
 * tuned flags; then the medians over rounds of those ratios, the median of the plain window-mean ratios for
 * comparison, and the Java heap bytes allocated per step (all threads, from
 * {@code ThreadMXBean.getThreadAllocatedBytes}, deterministic and the best guide on a noisy machine).
 *
 * <p>Run (one command; 5 rounds of 2,000 measured steps, 30 JVMs, a few minutes):
 * {@code mvn -B -q -pl lightning-benchmarks -am -DskipTests package exec:exec
 * -Dbench=dev.jlightning.benchmarks.TrainerOverheadBench}. Other counts:
 * {@code java -cp <classpath> dev.jlightning.benchmarks.TrainerOverheadBench <rounds> <steps>} (steps a multiple of
 * 100). The wall-clock ratios
 * are the result; the main thread's CPU time is printed as well because on a shared machine it is less disturbed
 * by other processes than wall time (it does not see time spent waiting for a core).
 */
public final class TrainerOverheadBench {

    static final int WARMUP = 20_000;
    private static final int BATCH = 32;
    private static final int STEP_SIZE = 1000;
    private static final String[] VARIANTS = {"raw", "bare", "logged"};
    private static final String[] FLAG_SETS = {"default", "tuned"};
    private static final List<String> TUNED = List.of("-Dorg.bytedeco.javacpp.nopointergc=true",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    private TrainerOverheadBench() {
    }

    /** The benchmark's model as a LightningModule. */
    static final class Net extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(32, 64));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 1));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            SGDOptions options = new SGDOptions(0.01);
            options.momentum().put(0.9);
            SGD sgd = new SGD(parameters(), options);
            return OptimizerConfig.of(sgd, LRSchedulerConfig.builder(new StepLR(sgd, STEP_SIZE, 0.5))
                    .interval(dev.jlightning.optim.Interval.STEP).build());
        }
    }

    /** The same model as a plain bytedeco Module for the raw loop. */
    static final class RawNet extends Module {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(32, 64));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 1));
    }

    /** What one fresh JVM measured. */
    private record Result(double usPerStep, double meanUsPerStep, double cpuUsPerStep, double bytesPerStep) {
    }

    /**
     * @param args rounds (default 5) and measured steps (default 2000); {@code --child variant steps} runs one
     *     measurement in this JVM and prints it
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Result[][][] results = new Result[rounds][FLAG_SETS.length][VARIANTS.length];
        System.out.printf(Locale.ROOT, "TrainerOverheadBench: %d rounds, %d warm-up + %d measured steps per JVM%n",
                rounds, WARMUP, steps);
        for (int r = 0; r < rounds; r++) {
            for (int f = 0; f < FLAG_SETS.length; f++) {
                for (int v = 0; v < VARIANTS.length; v++) {
                    results[r][f][v] = fork(FLAG_SETS[f], VARIANTS[v], steps);
                }
            }
            printRound(r, results[r]);
        }
        printSummary(results);
    }

    private static void printRound(int r, Result[][] round) {
        double tunedRaw = round[1][0].usPerStep;
        for (int f = 0; f < FLAG_SETS.length; f++) {
            double raw = round[f][0].usPerStep;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d %-7s", r + 1, FLAG_SETS[f]));
            for (int v = 0; v < VARIANTS.length; v++) {
                double us = round[f][v].usPerStep;
                line.append(String.format(Locale.ROOT, "  %s %6.1f us (x%.3f, x%.3f of tuned raw)", VARIANTS[v], us,
                        us / raw, us / tunedRaw));
            }
            System.out.println(line);
        }
    }

    private static void printSummary(Result[][][] results) {
        int rounds = results.length;
        System.out.println("median over rounds (ratios: median of the per-round ratios)");
        for (int f = 0; f < FLAG_SETS.length; f++) {
            for (int v = 0; v < VARIANTS.length; v++) {
                double[] us = new double[rounds];
                double[] ratio = new double[rounds];
                double[] ratioTuned = new double[rounds];
                double[] bytes = new double[rounds];
                double[] cpu = new double[rounds];
                double[] cpuRatio = new double[rounds];
                double[] meanRatio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    cpu[r] = results[r][f][v].cpuUsPerStep;
                    cpuRatio[r] = cpu[r] / results[r][f][0].cpuUsPerStep;
                    us[r] = results[r][f][v].usPerStep;
                    ratio[r] = us[r] / results[r][f][0].usPerStep;
                    ratioTuned[r] = us[r] / results[r][1][0].usPerStep;
                    bytes[r] = results[r][f][v].bytesPerStep;
                    meanRatio[r] = results[r][f][v].meanUsPerStep / results[r][f][0].meanUsPerStep;
                }
                System.out.printf(Locale.ROOT, "%-7s %-6s %7.1f us/step  x%.3f of raw (same flags)  x%.3f of tuned raw"
                        + "  %7.0f B/step  | window mean x%.3f  main-thread CPU %7.1f us/step x%.3f%n",
                        FLAG_SETS[f], VARIANTS[v], median(us), median(ratio), median(ratioTuned), median(bytes),
                        median(meanRatio), median(cpu), median(cpuRatio));
            }
        }
    }

    /** Runs one measurement in a fresh JVM with the flag set's system properties. */
    private static Result fork(String flags, String variant, int steps) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 17) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (flags.equals("tuned")) {
            cmd.addAll(TUNED);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrainerOverheadBench.class.getName());
        cmd.add("--child");
        cmd.add(variant);
        cmd.add(Integer.toString(steps));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // a bench stopped with Ctrl-C takes its running measurement with it
        Thread stopChild = new Thread(p::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(stopChild);
        Result result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    String[] f = line.split(" ");
                    result = new Result(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                            Double.parseDouble(f[4]));
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        int rc = p.waitFor();
        Runtime.getRuntime().removeShutdownHook(stopChild);
        if (rc != 0 || result == null) {
            throw new IllegalStateException(variant + " with " + flags + " flags failed (exit " + rc + "):\n" + output);
        }
        return result;
    }

    /**
     * One measurement in this JVM: prints {@code RESULT <median-block us per step> <mean us per step> <cpu us per
     * step> <bytes per step>}.
     */
    private static void child(String variant, int steps) throws IOException {
        Window window = new Window(WARMUP, steps);
        if (variant.equals("raw")) {
            torch.manual_seed(1);
            torch.set_num_threads(1);
            raw(dataset(steps), window);
        } else {
            // a user's program starts as the README's do, with seedEverything
            Trainer.seedEverything(1);
            torch.set_num_threads(1);
            jlightning(dataset(steps), window, variant.equals("logged"));
        }
        System.out.printf(Locale.ROOT, "RESULT %.3f %.3f %.3f %.1f%n", window.usPerStep(), window.meanUsPerStep(),
                window.cpuUsPerStep(),
                window.bytesPerStep());
    }

    /**
     * Wall time, the main thread's CPU time and heap allocation (all threads) over the measured steps, and the wall
     * time of each block of {@value #BLOCK} steps. Every mark is taken when a step is done, so each block holds the
     * same whole steps, logging steps included (the logging interval, 50, divides the block).
     */
    static final class Window {
        static final int BLOCK = 100;
        private final long start;
        private final long end;
        private final long[] marks;
        private long c0;
        private long c1;
        private long b0;
        private long b1;

        Window(long warmup, long steps) {
            if (steps % BLOCK != 0) {
                throw new IllegalArgumentException("measured steps must be a multiple of " + BLOCK + ", got " + steps);
            }
            this.start = warmup;
            this.end = warmup + steps;
            this.marks = new long[(int) (steps / BLOCK) + 1];
        }

        long totalSteps() {
            return end;
        }

        /** Called when {@code steps} steps are done (and with 0 before the first). */
        void afterSteps(long steps) {
            if (steps < start || steps > end || (steps - start) % BLOCK != 0) {
                return;
            }
            int k = (int) ((steps - start) / BLOCK);
            if (k == 0) {
                b0 = allocatedBytes();
                c0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                marks[0] = System.nanoTime();
            } else if (k == marks.length - 1) {
                marks[k] = System.nanoTime();
                c1 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                b1 = allocatedBytes();
            } else {
                marks[k] = System.nanoTime();
            }
        }

        /** The median over blocks of µs per step: what a block costs when nothing else took the core meanwhile. */
        double usPerStep() {
            double[] blocks = new double[marks.length - 1];
            for (int k = 0; k < blocks.length; k++) {
                blocks[k] = (marks[k + 1] - marks[k]) / 1e3 / BLOCK;
            }
            return median(blocks);
        }

        /** The mean µs per step over the whole window, every interruption included. */
        double meanUsPerStep() {
            return (marks[marks.length - 1] - marks[0]) / 1e3 / (end - start);
        }

        double cpuUsPerStep() {
            return (c1 - c0) / 1e3 / (end - start);
        }

        double bytesPerStep() {
            return (double) (b1 - b0) / (end - start);
        }

        private static long allocatedBytes() {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
                sum += Math.max(0, b);
            }
            return sum;
        }
    }

    private static TensorDataset dataset(int steps) {
        int samples = (int) ((WARMUP + steps + 1L) * BATCH);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(samples, 32);
            Tensor y = randn(samples, 1);
            return new TensorDataset(x, y);
        }
    }

    /** A hand-written loop: shuffled gather, forward, MSE, backward, SGD step, StepLR by hand, one scope per step. */
    static void raw(TensorDataset data, Window window) {
        RawNet net = new RawNet();
        SGDOptions options = new SGDOptions(0.01);
        options.momentum().put(0.9);
        SGD sgd = new SGD(net.parameters(), options);
        int samples = (int) data.size();
        int[] order = new DataOrderGenerator(3).permutation(samples);
        long[] longs = new long[samples];
        for (int i = 0; i < samples; i++) {
            longs[i] = order[i];
        }
        // the gather a careful hand-written loop does, and the Trainer's DataLoader too: the epoch's index split into
        // batch views once, so the ratio measures the framework and not two ways of indexing
        TensorVector batches;
        try (PointerScope scope = new PointerScope()) {
            batches = Tensor.create(longs).split(BATCH);
            batches.retainReference();
        }
        double lr = 0.01;
        Tensor xs = data.tensor(0);
        Tensor ys = data.tensor(1);
        for (int step = 0; step < window.totalSteps(); step++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor index = batches.get(step);
                Tensor x = index_select(xs, 0, index);
                Tensor y = index_select(ys, 0, index);
                Tensor loss = mse_loss(net.fc2.forward(relu(net.fc1.forward(x))), y);
                sgd.zero_grad(true);
                loss.backward();
                sgd.step();
                if ((step + 1) % STEP_SIZE == 0) {
                    lr *= 0.5;
                    sgd.param_groups().get(0).options().set_lr(lr);
                }
                loss.item_double();
            }
            window.afterSteps(step + 1);
        }
        batches.close();
    }

    static void jlightning(TensorDataset data, Window window, boolean logged) throws IOException {
        Net net = new Net();
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH).shuffle(true).seed(3).build();
        Callback probe = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int batchIdx) {
                window.afterSteps(t.globalStep());
            }
        };
        // the loop's own cost: no progress bar, model summary or checkpoint, which the callbacks module adds by
        // default (a checkpoint is written per epoch, outside the timed window anyway)
        var builder = Trainer.builder().maxSteps((int) window.totalSteps()).accelerator("cpu").numSanityValSteps(0)
                .enableProgressBar(false).enableModelSummary(false).enableCheckpointing(false);
        if (logged) {
            Path logs = Files.createTempDirectory("jlightning-bench");
            builder = builder.logger(CSVLogger.of(logs)).callbacks(probe, new LearningRateMonitor());
        } else {
            builder = builder.logger(false).callbacks(probe);
        }
        builder.build().fit(net, loader);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
