package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.testing.Mlp;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A program trained with {@code devices(n)}: the test runs it as a plain {@code main}, the Trainer re-launches it for
 * the other ranks. Each rank writes its final weights and learning-rate trace to {@code <out>/rank<r>.txt}.
 *
 * <p>Arguments: out dir, devices, accumulateGradBatches, epochs, [kill step], then flags: {@code adamw} (AdamW with
 * OneCycleLR stepped per batch instead of SGD with StepLR per epoch), {@code ckpt} (a ModelCheckpoint saving "last"
 * every epoch under {@code <out>/ckpt}), {@code resume} (fit from "last"), {@code ddp} ({@code strategy("ddp")} even
 * with one device). With a kill step, the rank that reaches it
 * prints its pid and then waits to be killed, so the checkpoint on disk is the one of the last finished epoch.
 */
public final class DdpTrainingMain {

    /** SGD with momentum and StepLR per epoch; the loss is logged with syncDist. */
    static final class Net extends Mlp {
        private final boolean adamw;
        private final int totalSteps;

        Net(boolean adamw, int totalSteps) {
            super(8, 16, 0.05);
            this.adamw = adamw;
            this.totalSteps = totalSteps;
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = torch.mse_loss(forward(batch.x()), batch.y());
            log("train_loss", loss, LogOptions.builder().syncDist(true).build());
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            if (adamw) {
                AdamW opt = Optimizers.adamW(lr).weightDecay(0.01).params(parameters()).build();
                OneCycleLR one = OneCycleLR.builder(opt).maxLr(0.05).totalSteps(totalSteps).build();
                return OptimizerConfig.of(opt, LRSchedulerConfig.builder(one).interval(Interval.STEP).build());
            }
            SGDOptions options = new SGDOptions(lr);
            options.momentum().put(0.9);
            SGD sgd = new SGD(parameters(), options);
            return Map.of("optimizer", sgd, "lr_scheduler", LRSchedulers.create(sgd,
                    Map.of("name", "StepLR", "step_size", 2, "gamma", 0.5)));
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int devices = Integer.parseInt(args[1]);
        int accumulate = Integer.parseInt(args[2]);
        int epochs = Integer.parseInt(args[3]);
        long killAfterBatches = args.length > 4 ? Long.parseLong(args[4]) : -1;
        List<String> flags = args.length > 5 ? List.of(args).subList(5, args.length) : List.of();
        torch.set_num_threads(1);
        Trainer.seedEverything(7);
        Tensor x = torch.randn(128, 8);
        Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()).mul(
                new org.bytedeco.pytorch.Scalar(0.3));
        DataLoader train = DataLoader.builder(new TensorDataset(x, y)).batchSize(32 / devices).shuffle(true).build();
        Net net = new Net(flags.contains("adamw"), epochs * 128 / 32 / accumulate);
        List<Double> lrs = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                    int batchIdx) {
                lrs.add(trainer.optimizers().get(0).param_groups().get(0).options().get_lr());
                if (trainer.globalStep() == killAfterBatches) {
                    // the test kills this process when it reads the line
                    System.out.println("rank " + trainer.globalRank() + " pid " + ProcessHandle.current().pid());
                    System.out.flush();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        List<Callback> callbacks = new ArrayList<>(List.of(recorder));
        if (flags.contains("ckpt")) {
            callbacks.add(ModelCheckpoint.builder().dirpath(out.resolve("ckpt")).saveLast(true).build());
        }
        Trainer trainer = Trainer.builder().devices(devices).strategy(flags.contains("ddp") ? "ddp" : "auto")
                .accelerator("cpu").maxEpochs(epochs)
                .accumulateGradBatches(accumulate).logEveryNSteps(1).numSanityValSteps(0)
                .enableProgressBar(false).enableModelSummary(false).callbacks(callbacks.toArray(new Callback[0]))
                .logger(CSVLogger.of(out)).build();
        if (flags.contains("resume")) {
            trainer.fit(net, train, "last");
        } else {
            trainer.fit(net, train);
        }
        StringBuilder sb = new StringBuilder();
        TensorVector params = net.parameters();
        for (long i = 0; i < params.size(); i++) {
            Tensor p = params.get(i).flatten(0, -1);
            for (long j = 0; j < p.numel(); j++) {
                sb.append(p.get(j).item_double()).append(' ');
            }
        }
        sb.append('\n');
        for (double lr : lrs) {
            sb.append(lr).append(' ');
        }
        sb.append('\n').append(trainer.globalStep()).append(' ').append(trainer.worldSize()).append('\n');
        Files.writeString(out.resolve("rank" + trainer.globalRank() + ".txt"), sb.toString());
    }

    private DdpTrainingMain() {
    }
}
