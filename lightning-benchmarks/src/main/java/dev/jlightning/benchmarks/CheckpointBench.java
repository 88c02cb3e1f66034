package dev.jlightning.benchmarks;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointRestore;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * Size, save time and load time of checkpoints of a 10M-parameter model (MLP 1000→5000→1000, 10,006,000 float32
 * parameters): weights only, full with SGD + momentum, and full with AdamW (two moments per parameter). Save is
 * {@code Trainer.saveCheckpoint} (archive, JSON, CRC-32C, fsync, atomic rename); load is reading and checking the file
 * plus restoring module and optimizer. Median of 5.
 *
 * <p>Run: {@code mvn -q -pl lightning-benchmarks -am -DskipTests package exec:exec
 * -Dbench=dev.jlightning.benchmarks.CheckpointBench}.
 */
public final class CheckpointBench {

    private static final int REPEATS = 5;

    private CheckpointBench() {
    }

    /** The 10M-parameter model. */
    static final class Big extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(1000, 5000));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(5000, 1000));
        final Function<Big, Object> optimizers;

        Big(Function<Big, Object> optimizers) {
            this.optimizers = optimizers;
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            return mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
        }

        @Override
        public Object configureOptimizers() {
            return optimizers.apply(this);
        }

        long numParameters() {
            try (TensorVector p = parameters()) {
                long n = 0;
                for (long i = 0; i < p.size(); i++) {
                    n += p.get(i).numel();
                }
                return n;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jlightning-ckpt-bench");
        System.out.printf("JLightning checkpoint benchmark, %s, %d cores%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        bench(dir, "weights only", m -> Optimizers.sgd(0.01).params(m.parameters()).build(), true);
        bench(dir, "full, SGD+momentum", m -> Optimizers.sgd(0.01).momentum(0.9).params(m.parameters()).build(),
                false);
        bench(dir, "full, AdamW", m -> Optimizers.adamW(1e-3).params(m.parameters()).build(), false);
    }

    private static void bench(Path dir, String label, Function<Big, Object> optimizers, boolean weightsOnly)
            throws Exception {
        Trainer.seedEverything(0);
        Big model = new Big(optimizers);
        DataLoader data = DataLoader.of(new TensorDataset(randn(8, 1000), randn(8, 1000)), 8);
        Trainer trainer = Trainer.builder().maxSteps(1).logger(false).numSanityValSteps(0)
                .enableCheckpointing(false).build();
        trainer.fit(model, data);
        Path file = dir.resolve(label.replaceAll("[^a-zA-Z]+", "-") + ".ckpt");
        double[] save = new double[REPEATS];
        double[] load = new double[REPEATS];
        AtomicCheckpointIO io = new AtomicCheckpointIO();
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            trainer.saveCheckpoint(file, weightsOnly);
            save[i] = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            Checkpoint c = io.load(file);
            try (CheckpointRestore r = CheckpointRestore.stage(c, model, !weightsOnly)) {
                r.applyModule(model);
                if (!weightsOnly) {
                    CheckpointRestore.verifyOptimizers(c, trainer.optimizers());
                    r.applyOptimizers(trainer.optimizers());
                }
            }
            load[i] = (System.nanoTime() - t1) / 1e6;
        }
        System.out.printf("%-20s %,d parameters  file %,d bytes (%.1f MiB)  save %.0f ms  load %.0f ms%n", label,
                model.numParameters(), Files.size(file), Files.size(file) / 1048576.0, median(save), median(load));
        Files.delete(file);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
