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
 * Cost of DDP: µs per training step and samples per second of an MLP (512 → 2048 → 2048 → 10, batch 64 per rank,
 * 1 intra-op thread per process) for one variant per run, so that the variants can be interleaved by a shell loop
 * with the same JVM flags.
 *
 * <p>Arguments: {@code single} (no strategy), {@code ddp1} ({@code strategy("ddp")} with 1 process) or {@code ddp2}
 * (2 processes); steps (default 300); batch size per rank (default 64). Prints
 * {@code variant us_per_step samples_per_s} from rank 0, timing the steps after the first 30. A larger batch makes the
 * step more compute-bound: the all-reduced gradient (21 MB) is the same for every batch size.
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

    public static void main(String[] args) {
        String variant = args.length > 0 ? args[0] : "single";
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
            System.out.printf("%s %.1f %.0f%n", variant, us, (double) batch * devices / (us / 1e6));
        }
    }

    private DdpBench() {
    }
}
