package dev.jlightning.benchmarks;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.DataOrderGenerator;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import static org.bytedeco.pytorch.global.torch.index_select;
import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * Microseconds per training step of {@code Trainer.fit} against a hand-written LibTorch loop doing the same math:
 * MLP 32→64→1, batch 32, in-memory data, SGD + StepLR per epoch, 5,000 steps, one intra-op thread, median of 3 runs.
 *
 * <p>Run: {@code mvn -q -pl lightning-benchmarks -am -DskipTests package exec:exec} (add
 * {@code -Dbench=dev.jlightning.benchmarks.TrainerOverheadBench}).
 */
public final class TrainerOverheadBench {

    private static final int STEPS = 5000;
    private static final int SAMPLES = 3200;
    private static final int BATCH = 32;
    private static final int BATCHES_PER_EPOCH = SAMPLES / BATCH;

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
            SGD sgd = new SGD(parameters(), new SGDOptions(0.01));
            return OptimizerConfig.of(sgd, new StepLR(sgd, 10, 0.5));
        }
    }

    /** The same model as a plain bytedeco Module for the raw loop. */
    static final class RawNet extends Module {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(32, 64));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 1));
    }

    /**
     * @param args optional number of rounds (default 3); each round runs the three variants once, interleaved so
     *     that slow phases of a shared machine hit them alike
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        torch.set_num_threads(1);
        Path logs = Files.createTempDirectory("jlightning-bench");
        TensorDataset data = dataset();
        // warm-up of both paths so class loading and LibTorch's first-call costs are not measured
        raw(data, 500);
        jlightning(data, 500, false, logs);
        jlightning(data, 500, true, logs);
        double[][] raw = new double[2][rounds];
        double[][] off = new double[2][rounds];
        double[][] on = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            record(raw, r, () -> raw(data, STEPS));
            record(off, r, () -> jlightning(data, STEPS, false, logs));
            record(on, r, () -> jlightning(data, STEPS, true, logs));
        }
        // wall time, and the calling thread's CPU time, which a noisy neighbour's steal time does not inflate
        String[] kinds = {"wall", "cpu"};
        for (int k = 0; k < 2; k++) {
            double rawMedian = median(raw[k]);
            System.out.printf("[%s] raw LibTorch loop     %7.1f us/step  runs %s%n", kinds[k], rawMedian,
                    Arrays.toString(round(raw[k])));
            System.out.printf("[%s] Trainer, no logger    %7.1f us/step  runs %s  ratio %.3f%n", kinds[k],
                    median(off[k]), Arrays.toString(round(off[k])), median(off[k]) / rawMedian);
            System.out.printf("[%s] Trainer, CSVLogger    %7.1f us/step  runs %s  ratio %.3f%n", kinds[k],
                    median(on[k]), Arrays.toString(round(on[k])), median(on[k]) / rawMedian);
        }
    }

    /** Runs {@code body} once and stores its wall and thread-CPU microseconds per step at {@code [0|1][round]}. */
    private static void record(double[][] into, int round, Runnable body) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        body.run();
        into[0][round] = (System.nanoTime() - wall0) / 1e3 / STEPS;
        into[1][round] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / STEPS;
    }

    private static TensorDataset dataset() {
        torch.manual_seed(0);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(SAMPLES, 32);
            Tensor y = randn(SAMPLES, 1);
            return new TensorDataset(x, y);
        }
    }

    /** A hand-written loop: shuffled gather, forward, MSE, backward, SGD step, StepLR by hand, one scope per step. */
    static void raw(TensorDataset data, int steps) {
        torch.manual_seed(1);
        RawNet net = new RawNet();
        SGD sgd = new SGD(net.parameters(), new SGDOptions(0.01));
        DataOrderGenerator gen = new DataOrderGenerator(3);
        double lr = 0.01;
        int[] order = gen.permutation(SAMPLES);
        for (int step = 0; step < steps; step++) {
            int b = step % BATCHES_PER_EPOCH;
            if (b == 0 && step > 0) {
                order = gen.permutation(SAMPLES);
                int epoch = step / BATCHES_PER_EPOCH;
                if (epoch % 10 == 0) {
                    lr *= 0.5;
                    sgd.param_groups().get(0).options().set_lr(lr);
                }
            }
            try (PointerScope scope = new PointerScope()) {
                long[] idx = new long[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    idx[i] = order[b * BATCH + i];
                }
                Tensor index = Tensor.create(idx);
                Tensor x = index_select(data.tensor(0), 0, index);
                Tensor y = index_select(data.tensor(1), 0, index);
                Tensor loss = mse_loss(net.fc2.forward(relu(net.fc1.forward(x))), y);
                sgd.zero_grad(true);
                loss.backward();
                sgd.step();
                loss.item_double();
            }
        }
    }

    static void jlightning(TensorDataset data, int steps, boolean csv, Path logs) {
        torch.manual_seed(1);
        Net net = new Net();
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH).shuffle(true).seed(3).build();
        // the loop's own overhead: no progress bar, model summary or checkpoint, which the callbacks module adds by
        // default
        var builder = Trainer.builder().maxSteps(steps).accelerator("cpu").numSanityValSteps(0)
                .enableProgressBar(false).enableModelSummary(false).enableCheckpointing(false);
        builder = csv ? builder.logger(CSVLogger.of(logs)) : builder.logger(false);
        Trainer trainer = builder.build();
        trainer.fit(net, loader);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 10) / 10.0;
        }
        return r;
    }
}
