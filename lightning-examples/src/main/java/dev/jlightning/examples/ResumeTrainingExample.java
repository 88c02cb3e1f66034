package dev.jlightning.examples;

import dev.jlightning.callbacks.ModelCheckpoint;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.examples.LinearRegressionExample.LinearRegression;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.randn;

/**
 * The tutorial's "saving and restoring state" advice as a run: train y = 3x + 2 with SGD and
 * {@code StepLR(step_size=10, gamma=0.5)} for 15 of 30 epochs, stop, and resume from {@code last.ckpt} with
 * {@code Trainer.fit(model, data, "last")}. The checkpoint holds the model, the optimizer and the scheduler (and the
 * loop position and random states), so the learning rate continues exactly where it was, and the resumed run ends
 * with the same weights as a run that was never stopped. Restarting from the weights alone, the pitfall the tutorial
 * warns about, resets the learning rate to 0.1.
 */
public final class ResumeTrainingExample implements Scenario {

    static final int TOTAL_EPOCHS = 30;
    static final int STOP_AFTER = 15;

    /** The lr of each epoch of each run, and the final weights. */
    public record Result(List<Double> uninterruptedLrs, List<Double> resumedLrs, double weightsOnlyRestartLr,
            double uninterruptedWeight, double resumedWeight, double uninterruptedBias, double resumedBias) {
    }

    @Override
    public String name() {
        return "resume-training";
    }

    @Override
    public String description() {
        return "stop after 15 epochs, resume from last.ckpt: StepLR continues exactly where it was";
    }

    @Override
    public void run(String[] args) throws Exception {
        Path out = RootDir.lightningLogs(RootDir.parse(args)).resolve("resume-training");
        Result r = train(out);
        System.out.println("epoch  uninterrupted lr  resumed lr");
        for (int e = 0; e < TOTAL_EPOCHS; e++) {
            String resumed = e < STOP_AFTER ? "(first run)" : String.valueOf(r.resumedLrs().get(e - STOP_AFTER));
            System.out.printf("%5d  %-16s  %s%n", e, r.uninterruptedLrs().get(e), resumed);
        }
        boolean same = r.uninterruptedLrs().subList(STOP_AFTER, TOTAL_EPOCHS).equals(r.resumedLrs());
        System.out.println(same ? "The resumed run's learning rate continues exactly where it was: "
                + r.resumedLrs().get(0) + " at epoch " + STOP_AFTER + "."
                : "The learning rates differ!");
        System.out.printf("Restarting from the weights alone would have reset the lr to %s.%n",
                r.weightsOnlyRestartLr());
        System.out.printf("final weight %s / %s, bias %s / %s (uninterrupted / resumed)%n", r.uninterruptedWeight(),
                r.resumedWeight(), r.uninterruptedBias(), r.resumedBias());
        System.out.println("checkpoints: " + out.resolve("checkpoints").toAbsolutePath().normalize());
    }

    /** Records the lr in effect during each epoch. */
    private static final class LrRecorder implements Callback {
        final List<Double> lrs = new ArrayList<>();

        @Override
        public void onTrainEpochStart(Trainer trainer, LightningModule module) {
            lrs.add(ParamGroups.of(trainer.optimizers().get(0)).lr(0));
        }
    }

    private static DataLoader data() {
        Trainer.seedEverything(42);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(200, 1);
            Tensor y = x.mul(new Scalar(3.0)).add(new Scalar(2.0)).add(randn(200, 1).mul(new Scalar(0.1)));
            return DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).build();
        }
    }

    /** Runs the uninterrupted reference, the stopped run and its resumption under {@code out}. */
    public static Result train(Path out) {
        LrRecorder reference = new LrRecorder();
        DataLoader refData = data();
        LinearRegression refModel = new LinearRegression();
        // the reference and the weights-only restart need no checkpoints of their own
        Trainer.builder().maxEpochs(TOTAL_EPOCHS).logger(false).enableCheckpointing(false).defaultRootDir(out)
                .callbacks(reference).build().fit(refModel, refData);

        Path ckdir = out.resolve("checkpoints");
        DataLoader firstData = data();
        LinearRegression first = new LinearRegression();
        Trainer.builder().maxEpochs(STOP_AFTER).logger(false).defaultRootDir(out)
                .callbacks(ModelCheckpoint.builder().dirpath(ckdir).saveLast(true).build()).build()
                .fit(first, firstData);

        // a new process would start here: a fresh model, fresh data, and the checkpoint on disk
        LrRecorder resumed = new LrRecorder();
        DataLoader againData = data();
        LinearRegression again = new LinearRegression();
        Trainer.builder().maxEpochs(TOTAL_EPOCHS).logger(false).defaultRootDir(out)
                .callbacks(ModelCheckpoint.builder().dirpath(ckdir).saveLast(true).build(), resumed).build()
                .fit(again, againData, "last");

        // the tutorial's pitfall: weights restored, optimizer and scheduler state not
        LinearRegression weightsOnly = LightningModule.loadFromCheckpoint(ckdir.resolve("last.ckpt"),
                LinearRegression::new);
        LrRecorder naive = new LrRecorder();
        Trainer.builder().maxEpochs(1).logger(false).enableCheckpointing(false).defaultRootDir(out).callbacks(naive)
                .build().fit(weightsOnly, data());

        return new Result(reference.lrs, resumed.lrs, naive.lrs.get(0), refModel.weight(), again.weight(),
                refModel.bias(), again.bias());
    }
}
