package dev.jlightning.examples;

import dev.jlightning.tuner.LRFinderResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a learning-rate finder's curve to PNG: loss against learning rate, the learning-rate axis logarithmic in
 * exponential mode, the suggestion marked with a red point. Lightning: {@code lr_finder.plot(suggest=True)}.
 */
public final class LRFinderPlot {

    private LRFinderPlot() {
    }

    /**
     * Writes the plot to {@code png} (".png" is added when missing, as XChart does).
     *
     * @return the file written
     */
    public static Path save(LRFinderResult result, Path png) throws IOException {
        double[] lrs = result.lrs().stream().mapToDouble(Double::doubleValue).toArray();
        double[] losses = result.losses().stream().mapToDouble(Double::doubleValue).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Learning rate finder")
                .xAxisTitle("Learning rate").yAxisTitle("Loss").build();
        chart.getStyler().setXAxisLogarithmic("exponential".equals(result.mode()));
        chart.getStyler().setLegendVisible(true);
        XYSeries curve = chart.addSeries("smoothed loss", lrs, finite(losses));
        curve.setMarker(SeriesMarkers.NONE);
        OptionalInt best = result.suggestionIndex(10, 1);
        if (best.isPresent()) {
            int i = best.getAsInt();
            XYSeries point = chart.addSeries(String.format("suggestion %.3g", lrs[i]), new double[] {lrs[i]},
                    new double[] {losses[i]});
            point.setMarker(SeriesMarkers.CIRCLE);
            point.setMarkerColor(java.awt.Color.RED);
            point.setLineColor(java.awt.Color.RED);
        }
        String file = png.toString();
        String base = file.endsWith(".png") ? file.substring(0, file.length() - 4) : file;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }

    /** XChart cannot draw NaN or infinities; a diverged point is drawn at the largest finite loss. */
    private static double[] finite(double[] values) {
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                out[i] = max;
            }
        }
        return out;
    }
}
