package dev.jlightning.logging;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes a small but complete TensorBoard run (hyperparameters, loss and learning-rate curves, text, histograms)
 * for checking by hand with TensorBoard itself; {@code src/test/python/tensorboard/verify_with_tensorboard.py}
 * runs it. Not a test: it has a {@code main} and no JUnit annotations.
 */
public final class TensorBoardSampleRun {

    private TensorBoardSampleRun() {
    }

    /** Writes the run under {@code args[0]}/jlightning_sample/version_0 and prints its log directory. */
    @SuppressWarnings("try")
    public static void main(String[] args) {
        TensorBoardLogger logger = TensorBoardLogger.builder(Path.of(args[0])).name("jlightning_sample").version(0)
                .build();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.1);
        params.put("optimizer", "SGD");
        params.put("batch_size", 32);
        params.put("nesterov", true);
        params.put("scheduler", Map.of("name", "OneCycleLR", "max_lr", 0.1));
        logger.logHyperparams(params);
        logger.logText("notes", "JLightning sample run: **bold** and `code`", 0);

        Random random = new Random(42);
        int steps = 50;
        for (int step = 0; step < steps; step++) {
            Map<String, Number> metrics = new LinkedHashMap<>();
            metrics.put("train_loss", 2.0 * Math.exp(-step / 15.0) + 0.05 * random.nextDouble());
            metrics.put("lr-SGD", 0.05 * (1 + Math.cos(Math.PI * step / steps)));
            logger.logMetrics(metrics, step);
            if (step % 10 == 0) {
                double[] weights = new double[1000];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = random.nextGaussian() * (1.0 + step / 10.0);
                }
                logger.logHistogram("layer.weight", weights, step);
                try (PointerScope scope = new PointerScope()) {
                    float[] bias = new float[64];
                    for (int i = 0; i < bias.length; i++) {
                        bias[i] = (float) (random.nextGaussian() * 0.1 + step / 100.0);
                    }
                    logger.logHistogram("layer.bias", Tensor.create(bias, 8, 8), step);
                }
            }
            logger.save();
        }
        logger.logMetrics(Map.of("val_loss", 0.12, "hp_metric", 0.12), steps - 1);
        logger.finish("success");
        System.out.println(logger.logDir());
    }
}
