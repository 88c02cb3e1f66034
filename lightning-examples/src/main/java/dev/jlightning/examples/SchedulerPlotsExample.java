package dev.jlightning.examples;

import dev.jlightning.optim.LRSchedulePreview;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the learning-rate curves of the tutorials JLightning's schedulers come from, one PNG per schedule, the way
 * they plot them with matplotlib: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau on the
 * tutorial's validation losses, a LambdaLR warm-up followed by step decay, OneCycleLR, SequentialLR (linear warm-up
 * then exponential decay), CosineAnnealingWarmRestarts, and PaddleOCR's LinearWarmup in front of MultiStepDecay.
 *
 * <p>No training happens: each curve comes from {@link LRSchedulePreview} applied to the same configuration map a
 * {@code configure_optimizers} would pass to {@code LRSchedulers.create}. Run with the output directory as the only
 * argument (default {@code target/scheduler-plots}).
 */
public final class SchedulerPlotsExample implements Scenario {
    /** The validation losses seed 000 feeds its ReduceLROnPlateau. */
    static final double[] SEED_VAL_LOSSES = {1.0, 0.95, 0.92, 0.90, 0.89, 0.88, 0.87, 0.865, 0.863, 0.862, 0.862,
        0.862};

    @Override
    public String name() {
        return "scheduler-plots";
    }

    @Override
    public String description() {
        return "PNG plots of the seeds' lr curves (StepLR ... Paddle LinearWarmup), no training";
    }

    @Override
    public void run(String[] args) {
        main(args);
    }

    /** One schedule to draw: the file name, the chart title, the x-axis label and its curves. */
    private record Plot(String file, String title, String xLabel, List<Curve> curves) {
    }

    private record Curve(String label, double[] lrs, boolean markers) {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        Path dir = RootDir.lightningLogs(RootDir.parse(args)).resolve("scheduler-plots");
        for (Path written : writeAll(dir)) {
            System.out.println("wrote " + written.toAbsolutePath().normalize());
        }
    }

    /** Writes every plot into {@code dir} (created if needed) and returns the files in order. */
    static List<Path> writeAll(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        List<Path> files = new ArrayList<>();
        for (Plot plot : plots()) {
            files.add(write(dir, plot));
        }
        return files;
    }

    private static List<Plot> plots() {
        List<Plot> plots = new ArrayList<>();
        plots.add(epochs("steplr", "StepLR: step_size=10, gamma=0.5",
                Map.of("name", "StepLR", "step_size", 10, "gamma", 0.5), 0.1, 50));
        plots.add(epochs("multisteplr", "MultiStepLR: milestones=[30, 80], gamma=0.1",
                Map.of("name", "MultiStepLR", "milestones", List.of(30, 80), "gamma", 0.1), 0.1, 100));
        plots.add(epochs("exponentiallr", "ExponentialLR: gamma=0.95",
                Map.of("name", "ExponentialLR", "gamma", 0.95), 0.1, 50));
        plots.add(epochs("cosineannealinglr", "CosineAnnealingLR: T_max=50",
                Map.of("name", "CosineAnnealingLR", "T_max", 50), 0.1, 50));
        plots.add(plateau());
        plots.add(epochs("lambdalr_warmup_step_decay", "Custom Schedule: Warmup + Step Decay (LambdaLR)",
                Map.of("name", "LambdaLR", "lr_lambda", "min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))"),
                0.1, 50));
        // seed 000: 1000 samples in batches of 32 (32 batches per epoch), 20 epochs, stepped every batch
        plots.add(new Plot("onecyclelr", "OneCycleLR: max_lr=0.01, total_steps=640", "Step",
                List.of(new Curve("lr", column(Map.of("name", "OneCycleLR", "max_lr", 0.01, "total_steps", 640),
                        0.001, 640), false))));
        plots.add(epochs("sequentiallr_warmup_exponential", "SequentialLR: Warmup + Exponential Decay",
                Map.of("name", "SequentialLR", "milestones", List.of(5), "schedulers", List.of(
                        Map.of("name", "LinearLR", "start_factor", 0.1, "total_iters", 5),
                        Map.of("name", "ExponentialLR", "gamma", 0.95))), 0.1, 50));
        plots.add(epochs("cosineannealingwarmrestarts", "CosineAnnealingWarmRestarts: T_0=10, T_mult=2",
                Map.of("name", "CosineAnnealingWarmRestarts", "T_0", 10, "T_mult", 2, "eta_min", 0.001), 0.1, 150));
        // seed 004's PaddleOCR block: 2000 warm-up steps, then the milestones count from the end of warm-up
        plots.add(new Plot("paddle_linearwarmup_multistepdecay",
                "Paddle LinearWarmup(0 -> 0.007, 2000 steps) + MultiStepDecay([300, 400], 0.1)", "Step",
                List.of(new Curve("lr", column(Map.of("name", "LinearWarmup", "start_lr", 0.0, "end_lr", 0.007,
                        "warmup_steps", 2000, "scheduler", Map.of("name", "MultiStepDecay",
                                "milestones", List.of(300, 400), "gamma", 0.1)), 0.007, 2600), false))));
        return plots;
    }

    private static Plot epochs(String file, String title, Map<String, ?> config, double lr, int epochs) {
        return new Plot(file, title, "Epoch", List.of(new Curve("lr", column(config, lr, epochs), false)));
    }

    private static Plot plateau() {
        Map<String, ?> config = Map.of("name", "ReduceLROnPlateau", "mode", "min", "factor", 0.5, "patience", 5);
        // the seed's twelve losses never stall for more than 5 epochs, so its own curve stays flat; the second
        // curve keeps feeding the last loss to show the reduction the tutorial describes
        double[] continued = new double[40];
        for (int i = 0; i < continued.length; i++) {
            continued[i] = i < SEED_VAL_LOSSES.length ? SEED_VAL_LOSSES[i] : 0.862;
        }
        return new Plot("reducelronplateau", "ReduceLROnPlateau: factor=0.5, patience=5", "Validation Step",
                List.of(new Curve("seed's validation losses", after(LRSchedulePreview.preview(config,
                                new double[] {0.1}, SEED_VAL_LOSSES)), true),
                        new Curve("then stuck at 0.862", after(LRSchedulePreview.preview(config,
                                new double[] {0.1}, continued)), false)));
    }

    /** The rates after each metric, as the seed appends them after {@code scheduler.step(val_loss)}. */
    private static double[] after(double[][] rows) {
        double[] out = new double[rows.length - 1];
        for (int i = 1; i < rows.length; i++) {
            out[i - 1] = rows[i][0];
        }
        return out;
    }

    private static double[] column(Map<String, ?> config, double lr, int steps) {
        return LRSchedulePreview.column(LRSchedulePreview.preview(config, new double[] {lr}, steps), 0);
    }

    private static Path write(Path dir, Plot plot) {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(plot.title())
                .xAxisTitle(plot.xLabel()).yAxisTitle("Learning Rate").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setLegendVisible(plot.curves().size() > 1);
        chart.getStyler().setYAxisDecimalPattern("0.#####");
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setXAxisTickMarkSpacingHint(70);
        for (Curve curve : plot.curves()) {
            double[] x = IntStream.range(0, curve.lrs().length).asDoubleStream().toArray();
            XYSeries series = chart.addSeries(curve.label(), x, curve.lrs());
            series.setMarker(curve.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            series.setLineStyle(new BasicStroke(2f));
        }
        Path file = dir.resolve(plot.file() + ".png");
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
