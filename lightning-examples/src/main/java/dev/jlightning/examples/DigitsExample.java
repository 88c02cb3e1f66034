package dev.jlightning.examples;

import dev.jlightning.callbacks.EarlyStopping;
import dev.jlightning.callbacks.EarlyStoppingReason;
import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.callbacks.ModelCheckpoint;
import dev.jlightning.data.DataLoader;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.logging.TensorBoardLogger;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.tuner.LRFindOptions;
import dev.jlightning.tuner.LRFinderResult;
import dev.jlightning.tuner.Tuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch;

/**
 * Handwritten digits on real data: the UCI 8x8 digits (1,797 images, shipped with the examples), 80/20 split with a
 * fixed seed, an MLP, the learning-rate finder to pick the peak learning rate, then training with OneCycleLR stepped
 * every batch, EarlyStopping on the validation loss, ModelCheckpoint keeping the best validation accuracy,
 * LearningRateMonitor, and logs to TensorBoard and CSV in {@code <out>/digits/version_<n>/} (with the finder's plot,
 * {@code lr_find.png}, and the checkpoint under {@code checkpoints/}).
 *
 * <p>Run: {@code Launcher digits [out-dir]} (default {@code lightning_logs}); then
 * {@code tensorboard --logdir <out-dir>}.
 */
public final class DigitsExample implements Scenario {

    static final int HIDDEN = 128;
    static final int BATCH_SIZE = 64;
    static final int MAX_EPOCHS = 30;

    /** What one run produced. */
    public record Result(double valAccuracy, double valLoss, double lrFinderSuggestion, int epochs, long steps,
            EarlyStoppingReason stopReason, double bestValAccuracy, Path bestCheckpoint, Path logDir, Path eventFile,
            Path metricsCsv, Path lrFinderPlot, Duration elapsed, double microsPerStep) {
    }

    @Override
    public String name() {
        return "digits";
    }

    @Override
    public String description() {
        return "UCI 8x8 digits: LR finder, OneCycleLR per step, EarlyStopping, TensorBoard + CSV logs";
    }

    @Override
    public void run(String[] args) throws Exception {
        String accelerator = "auto";
        String precision = "32-true";
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--accelerator=")) {
                accelerator = a.substring("--accelerator=".length());
            } else if (a.startsWith("--precision=")) {
                precision = a.substring("--precision=".length());
            } else {
                rest.add(a);
            }
        }
        // Lightning's default place for logs: lightning_logs in the working directory, or under --root-dir
        Path out = RootDir.lightningLogs(RootDir.parse(rest.toArray(new String[0])));
        Result r = train(out, 42, accelerator, precision);
        System.out.printf("learning-rate finder suggested %.3g (plot: %s)%n", r.lrFinderSuggestion(),
                r.lrFinderPlot());
        System.out.printf("trained %d epochs (%d steps), stop reason: %s%n", r.epochs(), r.steps(),
                r.stopReason().value());
        System.out.printf("validation accuracy %.4f, validation loss %.4f%n", r.valAccuracy(), r.valLoss());
        System.out.printf("best validation accuracy %.4f in %s%n", r.bestValAccuracy(), r.bestCheckpoint());
        System.out.printf("run time %.1f s, %.1f us per training step (precision %s)%n",
                r.elapsed().toMillis() / 1000.0, r.microsPerStep(), precision);
        System.out.println("logs: " + r.logDir().toAbsolutePath().normalize());
        System.out.println("open them with: tensorboard --logdir " + out.toAbsolutePath().normalize());
    }

    /**
     * Finds the learning rate, trains and validates with the given seed, logging under {@code saveDir}. LibTorch runs
     * on one intra-op thread meanwhile (the previous count is restored): for a model this small, splitting each
     * kernel over threads costs more in synchronization than it saves, badly so when the cores are busy.
     */
    public static Result train(Path saveDir, long seed) throws IOException {
        return train(saveDir, seed, "auto", "32-true");
    }

    /**
     * As {@link #train(Path, long)} on the given accelerator ("cpu", "cuda", "auto") and with the given precision
     * ("32-true", "bf16-mixed", "16-mixed", ...).
     */
    public static Result train(Path saveDir, long seed, String accelerator, String precision) throws IOException {
        long start = System.nanoTime();
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        Trainer.seedEverything(seed);
        try (DigitsData.Split split = DigitsData.load().split(0.2, seed)) {
            DataLoader train = DataLoader.builder(split.train()).batchSize(BATCH_SIZE).shuffle(true).build();
            DataLoader val = DataLoader.builder(split.val()).batchSize(512).build();
            DigitsClassifier model = new DigitsClassifier(HIDDEN, 1e-3);

            TensorBoardLogger tensorBoard = TensorBoardLogger.builder(saveDir).name("digits").build();
            // both loggers write into the same version directory; the CSV logger goes first so that it finds the
            // directory empty
            CSVLogger csv = CSVLogger.builder(saveDir).name("digits")
                    .version(Integer.parseInt(tensorBoard.version())).build();
            EarlyStopping earlyStopping = EarlyStopping.builder("val_loss").patience(5).build();
            LearningRateMonitor lrMonitor = LearningRateMonitor.builder().loggingInterval("step").build();
            // goes last, as Lightning orders checkpoint callbacks
            ModelCheckpoint checkpoint = ModelCheckpoint.builder().monitor("val_acc").mode("max").saveTopK(1).build();
            StepTimer timer = new StepTimer();
            Trainer trainer = Trainer.builder().accelerator(accelerator).precision(precision).maxEpochs(MAX_EPOCHS)
                    .defaultRootDir(saveDir).logger(csv, tensorBoard).logEveryNSteps(10)
                    .callbacks(timer, lrMonitor, earlyStopping, checkpoint).build();

            // the finder stores its suggestion as the "lr" hyperparameter, OneCycleLR's peak
            LRFinderResult lrFind = new Tuner(trainer).lrFind(model, train, LRFindOptions.builder().minLr(1e-5)
                    .maxLr(1.0).build()).orElseThrow();

            timer.reset();
            trainer.fit(model, train, val);

            Path plot = LRFinderPlot.save(lrFind, tensorBoard.logDir().resolve("lr_find.png"));
            double acc = trainer.callbackMetrics().get("val_acc");
            double loss = trainer.callbackMetrics().get("val_loss");
            return new Result(acc, loss, lrFind.suggestion().orElse(Double.NaN), trainer.currentEpoch(),
                    trainer.globalStep(), earlyStopping.stoppingReason(),
                    checkpoint.bestModelScore().orElseThrow(), checkpoint.bestCheckpoint().orElseThrow(),
                    tensorBoard.logDir(),
                    eventFile(tensorBoard.logDir()), csv.logDir().resolve("metrics.csv"), plot,
                    Duration.ofNanos(System.nanoTime() - start), timer.microsPerStep());
        } finally {
            torch.set_num_threads(threads);
        }
    }

    /** The run's event file, {@code events.out.tfevents.<time>.<host>...}. */
    static Path eventFile(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no event file in " + logDir));
        }
    }
}
