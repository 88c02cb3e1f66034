package dev.jlightning.callbacks;

import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.testing.Mlp;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A 2-rank run whose monitored metric is logged without {@code syncDist} and differs by rank: rank 0's improves for
 * three epochs then stalls, rank 1's never improves. ReduceLROnPlateau, EarlyStopping and ModelCheckpoint monitor
 * it. Each rank writes its per-epoch learning rates and the epoch it stopped at to {@code <out>/decisions<r>.txt}.
 */
public final class DdpDecisionsMain {

    static final class Net extends Mlp {
        Net() {
            super(8, 16, 0.05);
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Trainer t = trainer().orElseThrow();
            double score = t.globalRank() == 0 ? Math.max(0.25, 1.0 / (t.currentEpoch() + 1)) : 1.0;
            log("score", score, LogOptions.builder().onStep(false).onEpoch(true).build());
            return torch.mse_loss(forward(batch.x()), batch.y());
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = new SGD(parameters(), new SGDOptions(lr));
            return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", LRSchedulers.create(sgd,
                    Map.of("name", "ReduceLROnPlateau", "patience", 0, "factor", 0.5)), "monitor", "score"));
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        torch.set_num_threads(1);
        Trainer.seedEverything(3);
        DataLoader train = DataLoader.builder(new TensorDataset(torch.randn(64, 8), torch.randn(64, 1)))
                .batchSize(16).build();
        List<Double> lrs = new ArrayList<>();
        dev.jlightning.core.Callback recorder = new dev.jlightning.core.Callback() {
            @Override
            public void onTrainEpochStart(Trainer trainer, dev.jlightning.core.LightningModule module) {
                lrs.add(trainer.optimizers().get(0).param_groups().get(0).options().get_lr());
            }
        };
        ModelCheckpoint ckpt = ModelCheckpoint.builder().dirpath(out.resolve("ckpt")).monitor("score").saveTopK(1)
                .build();
        EarlyStopping stop = EarlyStopping.builder("score").patience(2).build();
        Trainer trainer = Trainer.builder().devices(2).accelerator("cpu").maxEpochs(20).numSanityValSteps(0)
                .enableProgressBar(false).enableModelSummary(false).callbacks(recorder, ckpt, stop)
                .logger(CSVLogger.of(out)).build();
        trainer.fit(new Net(), train);
        Files.writeString(out.resolve("decisions" + trainer.globalRank() + ".txt"), lrs + "\n"
                + trainer.currentEpoch() + "\n" + ckpt.bestModelPath() + "\n");
    }

    private DdpDecisionsMain() {
    }
}
