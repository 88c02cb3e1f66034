package dev.jlightning.examples;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;

/**
 * The linear regression of the StepLR tutorial: y = 3x + 2 + 0.1·noise, 1,000 points, {@code Linear(1, 1)}, SGD with
 * lr 0.1, {@code StepLR(step_size=10, gamma=0.5)} stepped once per epoch, 50 epochs of batches of 32.
 * Prints the learning rate of every epoch and the learned weight and bias.
 */
public final class LinearRegressionExample implements Scenario {

    /** The model: one linear layer, MSE loss, SGD + StepLR per epoch. */
    public static final class LinearRegression extends LightningModule {
        final LinearImpl linear;

        public LinearRegression() {
            linear = register_module("linear", new LinearImpl(1, 1));
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(linear.forward(batch.x()), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
            return OptimizerConfig.of(sgd, new StepLR(sgd, 10, 0.5));
        }

        public double weight() {
            return linear.weight().item_double();
        }

        public double bias() {
            return linear.bias().item_double();
        }
    }

    /** What one run produced: the lr in effect during each epoch, the final parameters and the log directory. */
    public record Result(List<Double> lrPerEpoch, double weight, double bias, Path logDir) {
    }

    @Override
    public String name() {
        return "linear-regression";
    }

    @Override
    public String description() {
        return "y = 3x + 2 with SGD and StepLR(step_size=10, gamma=0.5) for 50 epochs";
    }

    @Override
    public void run(String[] args) throws Exception {
        Path out = RootDir.parse(args);
        Result r = train(out, 42);
        for (int e = 0; e < r.lrPerEpoch().size(); e++) {
            System.out.printf("epoch %2d  lr %s%n", e, r.lrPerEpoch().get(e));
        }
        System.out.printf("learned weight %.4f (true 3), bias %.4f (true 2)%n", r.weight(), r.bias());
        System.out.println("logs: " + r.logDir().toAbsolutePath().normalize());
    }

    /** Trains with the given seed, logging under {@code saveDir}. */
    public static Result train(Path saveDir, long seed) {
        Trainer.seedEverything(seed);
        TensorDataset data;
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(1000, 1);
            Tensor y = x.mul(new Scalar(3.0)).add(new Scalar(2.0)).add(randn(1000, 1).mul(new Scalar(0.1)));
            data = new TensorDataset(x, y);
        }
        DataLoader loader = DataLoader.builder(data).batchSize(32).shuffle(true).build();
        LinearRegression model = new LinearRegression();
        List<Double> lrs = new ArrayList<>();
        Callback lrPrinter = new Callback() {
            @Override
            public void onTrainEpochStart(Trainer trainer, LightningModule module) {
                lrs.add(ParamGroups.of(trainer.optimizers().get(0)).lr(0));
            }
        };
        Trainer trainer = Trainer.builder().maxEpochs(50).defaultRootDir(saveDir).callbacks(lrPrinter).build();
        trainer.fit(model, loader);
        Result result = new Result(lrs, model.weight(), model.bias(), trainer.logDir());
        data.close();
        return result;
    }
}
