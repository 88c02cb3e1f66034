package com.example.quickstart;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.relu;

/** A two-layer regression network; the schedule comes from {@code scheduler.yaml}. */
public class RegressionModule extends LightningModule {
    final LinearImpl hidden = register_module("hidden", new LinearImpl(RandomRegressionData.FEATURES, 32));
    final LinearImpl out = register_module("out", new LinearImpl(32, 1));
    private final double lr;

    public RegressionModule(double lr) {
        this.lr = lr;
        saveHyperparameters(Map.of("lr", lr));
    }

    Tensor forward(Tensor x) {
        return out.forward(relu(hidden.forward(x)));
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = mse_loss(forward(batch.x()), batch.y());
        log("train_loss", loss);
        return loss;
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        log("val_loss", mse_loss(forward(batch.x()), batch.y()));
    }

    @Override
    public Object configureOptimizers() {
        Adam adam = new Adam(parameters(), new AdamOptions(lr));
        LRScheduler schedule = LRSchedulers.fromYaml(adam, resource("/scheduler.yaml"));
        return Map.of("optimizer", adam, "lr_scheduler", Map.of("scheduler", schedule, "interval", "step"));
    }

    private static String resource(String name) {
        try (InputStream in = RegressionModule.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
