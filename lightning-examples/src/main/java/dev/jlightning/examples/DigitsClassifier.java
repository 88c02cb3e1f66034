package dev.jlightning.examples;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LogOptions;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.OneCycleLR;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import static org.bytedeco.pytorch.global.torch.cross_entropy;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * An MLP for the 8x8 digits: 64 -> hidden -> hidden -> 10 with ReLU, cross-entropy loss, AdamW and a OneCycleLR
 * stepped every batch whose peak learning rate is the {@code lr} hyperparameter (which the learning-rate finder
 * sets) and whose length is the Trainer's {@code estimatedSteppingBatches()}.
 */
public final class DigitsClassifier extends LightningModule {

    final LinearImpl fc1;
    final LinearImpl fc2;
    final LinearImpl out;

    public DigitsClassifier(int hidden, double lr) {
        super("DigitsClassifier");
        fc1 = register_module("fc1", new LinearImpl(DigitsData.FEATURES, hidden));
        fc2 = register_module("fc2", new LinearImpl(hidden, hidden));
        out = register_module("out", new LinearImpl(hidden, DigitsData.CLASSES));
        saveHyperparameters(Map.of("hidden", hidden, "lr", lr, "weight_decay", 1e-4));
    }

    public Tensor forward(Tensor x) {
        return out.forward(relu(fc2.forward(relu(fc1.forward(x)))));
    }

    public double lr() {
        return ((Number) hparams().get("lr")).doubleValue();
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        Tensor loss = cross_entropy(forward(batch.x()), batch.y());
        log("train_loss", loss, LogOptions.progBar());
        return loss;
    }

    @Override
    public void validationStep(Batch batch, int batchIdx) {
        Tensor logits = forward(batch.x());
        log("val_loss", cross_entropy(logits, batch.y()), LogOptions.progBar());
        log("val_acc", accuracy(logits, batch.y()), LogOptions.progBar());
    }

    static Tensor accuracy(Tensor logits, Tensor labels) {
        return logits.argmax(new LongOptional(1), false).eq(labels).to(torch.ScalarType.Float).mean();
    }

    @Override
    public Object configureOptimizers() {
        AdamW optimizer = Optimizers.adamW(lr()).params(parameters())
                .weightDecay(((Number) hparams().get("weight_decay")).doubleValue()).build();
        long steps = trainer().orElseThrow().estimatedSteppingBatches();
        OneCycleLR schedule = OneCycleLR.builder(optimizer).maxLr(lr()).totalSteps((int) steps).build();
        return Map.of("optimizer", optimizer, "lr_scheduler", Map.of("scheduler", schedule, "interval", "step"));
    }
}
