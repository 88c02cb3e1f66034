package dev.jlightning.examples;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.precision.GradScaler;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The check {@code scripts/gpu-check.sh} runs on a machine with an accelerator: the digits example on it in each
 * precision (validation accuracy and microseconds per training step), then an exact-resume check in the last
 * precision: a fit stopped after 2 of 4 epochs and resumed from its checkpoint must end with the weights of the
 * uninterrupted fit, and the gradient scaler (16-mixed) must continue from its saved scale.
 *
 * <p>Run: {@code Launcher precision-check [--accelerator=cuda] [--precisions=32-true,bf16-mixed,16-mixed] [out-dir]}.
 * Every result is one line starting with {@code RESULT}, for scripts to read.
 */
public final class PrecisionCheckExample implements Scenario {

    static final int RESUME_EPOCHS = 4;
    static final int STOP_AFTER = 2;

    /** What the resume check found. */
    public record ResumeCheck(String precision, double maxWeightDifference, String scaleAtSave,
            String scaleAtResume) {
        /** Whether the resumed fit ended bit-identical to the uninterrupted one. */
        public boolean exact() {
            return maxWeightDifference == 0.0;
        }
    }

    @Override
    public String name() {
        return "precision-check";
    }

    @Override
    public String description() {
        return "digits in 32-true / bf16-mixed / 16-mixed on an accelerator: accuracy, us per step, exact resume";
    }

    @Override
    public void run(String[] args) throws Exception {
        String accelerator = "cuda";
        List<String> precisions = List.of("32-true", "bf16-mixed", "16-mixed");
        Path out = null;
        for (String a : args) {
            if (a.startsWith("--accelerator=")) {
                accelerator = a.substring("--accelerator=".length());
            } else if (a.startsWith("--precisions=")) {
                precisions = List.of(a.substring("--precisions=".length()).split(","));
            } else {
                out = Path.of(a);
            }
        }
        if (out == null) {
            out = Files.createTempDirectory("jlightning-precision-check");
        }
        System.out.printf("RESULT device accelerator=%s cuda_available=%s cuda_devices=%d%n", accelerator,
                torch.cuda_is_available(), torch.cuda_is_available() ? torch.cuda_device_count() : 0);
        for (String p : precisions) {
            DigitsExample.Result r = DigitsExample.train(out.resolve("digits-" + p), 42, accelerator, p);
            System.out.printf("RESULT digits accelerator=%s precision=%s val_acc=%.4f best_val_acc=%.4f"
                    + " us_per_step=%.1f epochs=%d steps=%d run_s=%.1f%n", accelerator, p, r.valAccuracy(),
                    r.bestValAccuracy(), r.microsPerStep(), r.epochs(), r.steps(), r.elapsed().toMillis() / 1000.0);
        }
        ResumeCheck c = resume(out.resolve("resume"), accelerator, precisions.get(precisions.size() - 1));
        System.out.printf("RESULT resume accelerator=%s precision=%s exact=%s max_weight_diff=%s scale_at_save=%s"
                + " scale_at_resume=%s%n", accelerator, c.precision(), c.exact(), c.maxWeightDifference(),
                c.scaleAtSave(), c.scaleAtResume());
    }

    /** Stops the fit after a number of epochs. */
    private static final class StopAfter implements Callback {
        private final int epochs;

        StopAfter(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
            if (trainer.currentEpoch() + 1 >= epochs) {
                trainer.shouldStop(true);
            }
        }
    }

    /** Records the scaler's scale when training (re)starts. */
    private static final class ScaleAtStart implements Callback {
        String scale = "none";

        @Override
        public void onTrainStart(Trainer trainer, LightningModule module) {
            scale = trainer.strategy().precision().scaler().map(s -> String.valueOf(s.getScale())).orElse("none");
        }
    }

    /**
     * Trains the digits MLP for 4 epochs without a stop, and again stopped after
     * 2 epochs, saved, and resumed in a new Trainer; returns how far the final weights differ.
     */
    public static ResumeCheck resume(Path dir, String accelerator, String precision) throws Exception {
        List<double[]> finals = new ArrayList<>();
        String scaleAtSave = "none";
        String scaleAtResume = "none";
        Path ckpt = dir.resolve("stopped.ckpt");
        for (int run = 0; run < 2; run++) {
            Trainer.seedEverything(7);
            try (DigitsData.Split split = DigitsData.load().split(0.2, 7)) {
                DataLoader train = DataLoader.builder(split.train()).batchSize(DigitsExample.BATCH_SIZE)
                        .shuffle(true).build();
                DataLoader val = DataLoader.builder(split.val()).batchSize(512).build();
                DigitsClassifier model = new DigitsClassifier(DigitsExample.HIDDEN, 3e-3);
                if (run == 0) {
                    quiet(accelerator, precision, dir).build().fit(model, train, val);
                } else {
                    Trainer first = quiet(accelerator, precision, dir).callbacks(new StopAfter(STOP_AFTER)).build();
                    first.fit(model, train, val);
                    first.saveCheckpoint(ckpt);
                    scaleAtSave = first.strategy().precision().scaler().map(GradScaler::getScale)
                            .map(String::valueOf).orElse("none");
                    DigitsClassifier resumed = new DigitsClassifier(DigitsExample.HIDDEN, 3e-3);
                    ScaleAtStart probe = new ScaleAtStart();
                    quiet(accelerator, precision, dir).callbacks(probe).build().fit(resumed, train, val,
                            ckpt.toString());
                    scaleAtResume = probe.scale;
                    model = resumed;
                }
                finals.add(weights(model));
            }
        }
        double maxDiff = 0;
        for (int i = 0; i < finals.get(0).length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(finals.get(0)[i] - finals.get(1)[i]));
        }
        return new ResumeCheck(precision, maxDiff, scaleAtSave, scaleAtResume);
    }

    private static TrainerConfig.Builder quiet(String accelerator, String precision, Path dir) {
        return Trainer.builder().accelerator(accelerator).precision(precision).maxEpochs(RESUME_EPOCHS)
                .defaultRootDir(dir).logger(false).enableProgressBar(false).enableModelSummary(false);
    }

    private static double[] weights(LightningModule m) {
        List<Double> all = new ArrayList<>();
        try (TensorVector ps = m.parameters()) {
            for (long i = 0; i < ps.size(); i++) {
                Tensor flat = ps.get(i).detach().flatten().to(new org.bytedeco.pytorch.Device("cpu"),
                        torch.ScalarType.Double);
                for (long j = 0; j < flat.numel(); j++) {
                    all.add(flat.get(j).item_double());
                }
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
