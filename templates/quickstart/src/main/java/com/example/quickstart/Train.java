package com.example.quickstart;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.callbacks.ModelCheckpoint;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;

/** Trains, resuming from {@code last.ckpt} when an earlier run left one (run it twice to see the resume). */
public final class Train {
    private Train() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Trainer.seedEverything(42);
        Trainer trainer = Trainer.builder()
                .maxEpochs(8)
                .defaultRootDir(root)
                .callbacks(new LearningRateMonitor(),
                        ModelCheckpoint.builder().dirpath(root.resolve("checkpoints")).saveLast(true).build())
                .build();
        // "last", as fit(ckpt_path="last"): the first run finds none, warns and starts from scratch
        trainer.fit(new RegressionModule(0.01), new RandomRegressionData(32), "last");
        System.out.println("val_loss " + trainer.callbackMetrics().get("val_loss") + ", logs in " + trainer.logDir());
    }
}
