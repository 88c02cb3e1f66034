package dev.jlightning.benchmarks;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.trainer.Trainer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Microseconds per training step of the digits example's MLP (64→128→128→10, batch 64, cross-entropy, AdamW) under
 * {@code Trainer.fit} in each precision given ({@code 32-true} and {@code bf16-mixed} by default) on CPU, one
 * intra-op thread, 2,000 steps per run, median of the rounds; the precisions alternate within each round so that
 * slow phases of a shared machine hit them alike. Wall time and the thread's CPU time are both reported.
 *
 * <p>Run: {@code mvn -q -pl lightning-benchmarks -am -DskipTests package exec:exec
 * -Dbench=dev.jlightning.benchmarks.PrecisionBench} (arguments: rounds, then precisions).
 */
public final class PrecisionBench {

    private static final int STEPS = 2000;
    private static final int SAMPLES = 1438;
    private static final int BATCH = 64;

    private PrecisionBench() {
    }

    /** The digits example's network, on random data of the same shape. */
    static final class DigitsMlp extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(64, 128));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(128, 128));
        final LinearImpl out = register_module("out", new LinearImpl(128, 10));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            return cross_entropy(out.forward(relu(fc2.forward(relu(fc1.forward(batch.x()))))), batch.y());
        }

        @Override
        public Object configureOptimizers() {
            return Optimizers.adamW(1e-3).params(parameters()).weightDecay(1e-4).build();
        }
    }

    /** @param args rounds (default 3), then precisions (default 32-true bf16-mixed) */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> precisions = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("32-true", "bf16-mixed");
        torch.set_num_threads(1);
        TensorDataset data = dataset();
        for (String p : precisions) {
            fit(data, p, 300);
        }
        double[][][] times = new double[precisions.size()][2][rounds];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < precisions.size(); i++) {
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                fit(data, precisions.get(i), STEPS);
                times[i][0][r] = (System.nanoTime() - wall0) / 1e3 / STEPS;
                times[i][1][r] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / STEPS;
            }
        }
        String[] kinds = {"wall", "cpu"};
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < precisions.size(); i++) {
                System.out.printf("[%s] %-10s %8.1f us/step  runs %s%n", kinds[k], precisions.get(i),
                        median(times[i][k]), Arrays.toString(round(times[i][k])));
            }
        }
    }

    private static void fit(TensorDataset data, String precision, int steps) {
        Trainer.seedEverything(1);
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH).shuffle(true).build();
        Trainer.builder().accelerator("cpu").precision(precision).maxSteps(steps).logger(false)
                .enableProgressBar(false).enableModelSummary(false).build().fit(new DigitsMlp(), loader);
    }

    private static TensorDataset dataset() {
        torch.manual_seed(0);
        try (PointerScope scope = new PointerScope()) {
            return new TensorDataset(randn(SAMPLES, 64), randint(10L, new long[] {SAMPLES}));
        }
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
