package dev.jlightning.checkpoint;

import java.nio.file.Path;

/**
 * Saves, loads and removes checkpoint files.
 *
 * <p>Counterpart of Lightning's {@code CheckpointIO} plugin ({@code save_checkpoint}, {@code load_checkpoint},
 * {@code remove_checkpoint}). The default, {@link AtomicCheckpointIO}, writes crash-safely: a reader sees either the
 * previous file or the complete new one.
 */
public interface CheckpointIO {

    /**
     * Writes {@code checkpoint} to {@code path}, creating missing parent directories.
     *
     * @throws CheckpointException if it cannot be written completely; the previous file at {@code path}, if any, is
     *     then unchanged
     */
    void save(Checkpoint checkpoint, Path path);

    /**
     * Reads and structurally checks the checkpoint at {@code path}.
     *
     * @throws CheckpointException if the file is missing, truncated, corrupted, not a checkpoint or from a newer
     *     format version
     */
    Checkpoint load(Path path);

    /** Deletes the checkpoint at {@code path} if it exists. */
    void remove(Path path);
}
