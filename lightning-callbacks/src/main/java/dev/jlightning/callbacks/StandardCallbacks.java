package dev.jlightning.callbacks;

import dev.jlightning.checkpoint.CheckpointLocator;
import dev.jlightning.core.Callback;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.trainer.DefaultCallbacks;
import dev.jlightning.trainer.TrainerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds a {@link ModelCheckpoint}, a {@link ProgressBar} and a {@link ModelSummary} to every Trainer, in that order, as
 * Lightning's callback connector does, unless {@code enableCheckpointing(false)} / {@code enableProgressBar(false)} /
 * {@code enableModelSummary(false)} or the user passed their own.
 *
 * <p>Registered as the {@link DefaultCallbacks} service of this module, so the defaults apply whenever
 * lightning-callbacks is on the class path. Lightning's checks: a checkpoint callback while checkpointing is
 * disabled, more than one progress bar, or a progress bar while the progress bar is disabled, is a configuration
 * error. The default checkpoint callback is Lightning's {@code ModelCheckpoint()}: every epoch to
 * {@code <log_dir>/checkpoints/epoch=E-step=S.ckpt}, keeping only the latest.
 */
public final class StandardCallbacks implements DefaultCallbacks {

    @Override
    public List<Callback> create(TrainerConfig config, List<Callback> configured) {
        List<Callback> bars = configured.stream().filter(c -> c instanceof ProgressBar).toList();
        if (bars.size() > 1) {
            throw new MisconfigurationException("You added multiple progress bar callbacks to the Trainer, but"
                    + " currently only one progress bar is supported.");
        }
        if (!config.enableProgressBar() && !bars.isEmpty()) {
            throw new MisconfigurationException("Trainer was configured with `enable_progress_bar=False` but found"
                    + " `ProgressBar` in callbacks list.");
        }
        boolean hasCheckpointCallback = configured.stream().anyMatch(c -> c instanceof CheckpointLocator);
        if (!config.enableCheckpointing() && hasCheckpointCallback) {
            throw new MisconfigurationException("Trainer was configured with `enable_checkpointing=False` but found"
                    + " `ModelCheckpoint` in callbacks list.");
        }
        List<Callback> out = new ArrayList<>();
        if (config.enableCheckpointing() && !hasCheckpointCallback) {
            out.add(ModelCheckpoint.of());
        }
        if (config.enableProgressBar() && bars.isEmpty()) {
            out.add(new ProgressBar());
        }
        if (config.enableModelSummary() && configured.stream().noneMatch(c -> c instanceof ModelSummary)) {
            out.add(new ModelSummary());
        }
        return out;
    }
}
