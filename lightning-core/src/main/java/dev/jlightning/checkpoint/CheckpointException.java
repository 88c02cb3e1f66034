package dev.jlightning.checkpoint;

/**
 * A checkpoint could not be written, or a file was refused as a checkpoint for this run.
 *
 * <p>Lightning raises assorted {@code RuntimeError}, {@code KeyError} and {@code ValueError}s for these cases; JLightning
 * has one type whose message says what is wrong with which file and what was expected. When it is thrown while
 * saving, the previous file at the destination is untouched; when it is thrown while loading, nothing in the run
 * (module, optimizers, schedulers, callbacks) has been changed.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
