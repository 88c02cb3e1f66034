package dev.jlightning.examples;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.LambdaLR;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * The warmup + cosine {@code LambdaLR} of the "custom learning-rate scheduler" tutorial, trained twice: once with
 * {@code "interval": "step"} in the scheduler config, once without it. Without it Lightning (and JLightning) steps the
 * scheduler once per epoch, so five epochs never leave the warmup; with it the lr follows the curve per optimizer step.
 * Each run writes its metrics.csv through a CSVLogger and LearningRateMonitor; both lr curves are read back from the
 * CSVs and drawn into {@code lr_curves.png}.
 */
public final class WarmupCosineExample implements Scenario {

    static final double PEAK_LR = 1e-3;
    static final double LAST_LR = 1e-5;
    static final double WEIGHT_DECAY = 1e-2;
    static final int WARMUP_STEPS = 10;
    static final int EPOCHS = 5;
    static final int BATCH_SIZE = 16;
    static final int SAMPLES = 320;

    /** The tutorial's lr_lambda: linear warmup, then cosine from the peak down to last_lr, as a factor of the peak. */
    static IntToDoubleFunction warmupCosine(int warmupSteps, int numTrainingSteps, double peakLr, double lastLr) {
        return step -> {
            if (step < warmupSteps) {
                return (double) step / warmupSteps;
            }
            double progress = (double) (step - warmupSteps) / (numTrainingSteps - warmupSteps);
            double cosineDecay = 0.5 * (1 + Math.cos(Math.PI * progress));
            return (lastLr + (peakLr - lastLr) * cosineDecay) / peakLr;
        };
    }

    /** The tutorial's CustomLRSchedulerExperiment around a small regression network. */
    public static final class CustomLRSchedulerExperiment extends LightningModule {
        final LinearImpl fc1;
        final LinearImpl fc2;
        private final boolean perStep;

        /** @param perStep whether the scheduler config says {@code "interval": "step"} */
        public CustomLRSchedulerExperiment(boolean perStep) {
            this.perStep = perStep;
            fc1 = register_module("fc1", new LinearImpl(8, 32));
            fc2 = register_module("fc2", new LinearImpl(32, 1));
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(fc2.forward(relu(fc1.forward(batch.x()))), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            Adam optimizer = Optimizers.adam(PEAK_LR).weightDecay(WEIGHT_DECAY).params(parameters()).build();
            // the whole run's optimizer steps, as the tutorial's num_training_steps
            int numTrainingSteps = (int) trainer().orElseThrow().estimatedSteppingBatches();
            LambdaLR scheduler = new LambdaLR(optimizer,
                    warmupCosine(WARMUP_STEPS, numTrainingSteps, PEAK_LR, LAST_LR));
            Map<String, Object> lrScheduler = new LinkedHashMap<>();
            lrScheduler.put("scheduler", scheduler);
            lrScheduler.put("name", "custom_scheduler");
            if (perStep) {
                lrScheduler.put("interval", "step");
                lrScheduler.put("frequency", 1);
            }
            return Map.of("optimizer", optimizer, "lr_scheduler", lrScheduler);
        }
    }

    /** One lr curve read back from a metrics.csv: the logger steps and the lr logged at each. */
    public record LrCurve(List<Long> steps, List<Double> lrs) {
    }

    /** The two runs' files and curves. */
    public record Result(Path perStepCsv, Path perEpochCsv, LrCurve perStep, LrCurve perEpoch, Path png,
            long totalSteps) {
    }

    @Override
    public String name() {
        return "warmup-cosine";
    }

    @Override
    public String description() {
        return "warmup + cosine LambdaLR with and without \"interval\": \"step\"; metrics.csv and lr_curves.png";
    }

    @Override
    public void run(String[] args) throws Exception {
        Path out = RootDir.lightningLogs(RootDir.parse(args)).resolve("warmup-cosine");
        Files.createDirectories(out);
        Result r = run(out, 42);
        System.out.println("interval='step'  : " + r.perStepCsv().toAbsolutePath().normalize());
        System.out.println("no interval      : " + r.perEpochCsv().toAbsolutePath().normalize());
        System.out.println("lr curves        : " + r.png().toAbsolutePath().normalize());
        System.out.printf("peak lr reached: per step %s, per epoch %s (max over %d steps)%n",
                r.perStep().lrs().stream().mapToDouble(Double::doubleValue).max().orElse(0),
                r.perEpoch().lrs().stream().mapToDouble(Double::doubleValue).max().orElse(0), r.totalSteps());
    }

    /** Trains both variants under {@code out}, reads their lr curves back and draws them. */
    public static Result run(Path out, long seed) throws IOException {
        Path perStepCsv = train(out, "interval_step", true, seed);
        Path perEpochCsv = train(out, "interval_default", false, seed);
        LrCurve perStep = readLrCurve(perStepCsv, "custom_scheduler");
        LrCurve perEpoch = readLrCurve(perEpochCsv, "custom_scheduler");
        long totalSteps = (long) EPOCHS * (SAMPLES / BATCH_SIZE);
        Path png = out.resolve("lr_curves.png");
        plot(perStep, perEpoch, totalSteps, png);
        return new Result(perStepCsv, perEpochCsv, perStep, perEpoch, png, totalSteps);
    }

    private static Path train(Path out, String name, boolean perStep, long seed) {
        Trainer.seedEverything(seed);
        TensorDataset data;
        try (PointerScope scope = new PointerScope()) {
            Tensor x = randn(SAMPLES, 8);
            Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .mul(new Scalar(0.3)).add(randn(SAMPLES, 1).mul(new Scalar(0.05)));
            data = new TensorDataset(x, y);
        }
        DataLoader loader = DataLoader.builder(data).batchSize(BATCH_SIZE).shuffle(true).build();
        CSVLogger logger = CSVLogger.builder(out).name(name).version(0).build();
        Trainer trainer = Trainer.builder().maxEpochs(EPOCHS).logEveryNSteps(1).defaultRootDir(out).logger(logger)
                .callbacks(new LearningRateMonitor()).build();
        trainer.fit(new CustomLRSchedulerExperiment(perStep), loader);
        data.close();
        return logger.logDir().resolve("metrics.csv");
    }

    /** The non-empty cells of {@code column} with their {@code step}, in file order. */
    public static LrCurve readLrCurve(Path metricsCsv, String column) {
        try {
            List<String> lines = Files.readAllLines(metricsCsv);
            List<String> header = Arrays.asList(lines.get(0).split(",", -1));
            int c = header.indexOf(column);
            int s = header.indexOf("step");
            if (c < 0 || s < 0) {
                throw new IllegalArgumentException(metricsCsv + " has no '" + column + "' or 'step' column: " + header);
            }
            List<Long> steps = new ArrayList<>();
            List<Double> lrs = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                if (!cells[c].isEmpty()) {
                    steps.add(Long.parseLong(cells[s]));
                    lrs.add(Double.parseDouble(cells[c]));
                }
            }
            return new LrCurve(steps, lrs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void plot(LrCurve perStep, LrCurve perEpoch, long totalSteps, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(500)
                .title("Warmup + cosine LambdaLR: lr per optimizer step (LearningRateMonitor, metrics.csv)")
                .xAxisTitle("optimizer step").yAxisTitle("learning rate").build();
        chart.getStyler().setMarkerSize(4);
        XYSeries step = chart.addSeries("\"interval\": \"step\"", toArray(perStep.steps()), toDoubles(perStep.lrs()));
        step.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        // the per-epoch run logs at epoch starts only; the lr holds until the next row, to the end of the run
        List<Long> xs = new ArrayList<>(perEpoch.steps());
        List<Double> ys = new ArrayList<>(perEpoch.lrs());
        xs.add(totalSteps);
        ys.add(ys.get(ys.size() - 1));
        XYSeries epoch = chart.addSeries("no interval (Lightning's default \"epoch\")", toArray(xs), toDoubles(ys));
        epoch.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double[] toArray(List<Long> values) {
        return values.stream().mapToDouble(Long::doubleValue).toArray();
    }

    private static double[] toDoubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
