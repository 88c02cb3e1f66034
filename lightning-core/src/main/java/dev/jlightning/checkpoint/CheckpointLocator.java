package dev.jlightning.checkpoint;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A callback that knows where checkpoints are, so {@code Trainer.fit(..., "best")} and {@code "last"} can find them.
 *
 * <p>Lightning's {@code trainer.checkpoint_callback}: {@code ckpt_path="best"} takes its {@code best_model_path},
 * {@code "last"} the newest of its {@code _find_last_checkpoints}. {@code ModelCheckpoint} implements it.
 */
public interface CheckpointLocator {

    /** The best checkpoint saved so far in this process; empty before the first one. */
    Optional<Path> bestCheckpoint();

    /** Every "last" checkpoint file in the checkpoint directory. */
    Set<Path> lastCheckpoints();
}
