package dev.jlightning.examples;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

/** The README's quick start, kept compiling and running here: a cosine schedule stepped per batch. */
public final class QuickStartExample implements Scenario {

    /** The README's module. */
    public static final class Regressor extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(8, 32));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(32, 1));

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
            LRScheduler cosine = LRSchedulers.create(sgd, Map.of("name", "CosineAnnealingLR", "T_max", 1000));
            return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", cosine, "interval", "step"));
        }
    }

    @Override
    public String name() {
        return "quick-start";
    }

    @Override
    public String description() {
        return "the README's quick start: CosineAnnealingLR per step with LearningRateMonitor";
    }

    @Override
    public void run(String[] args) {
        Trainer trainer = fit(RootDir.parse(args), 32);
        System.out.println("trained " + trainer.globalStep() + " steps; logs: "
                + trainer.logDir().toAbsolutePath().normalize());
    }

    /** Runs the quick start for {@code epochs} epochs under {@code dir}. */
    public static Trainer fit(Path dir, int epochs) {
        Trainer.seedEverything(42);
        DataLoader train = DataLoader.builder(new TensorDataset(randn(1000, 8), randn(1000, 1)))
                .batchSize(32).shuffle(true).build();
        Trainer trainer = Trainer.builder().maxEpochs(epochs).defaultRootDir(dir)
                .callbacks(new LearningRateMonitor()).build();
        trainer.fit(new Regressor(), train);
        return trainer;
    }
}
