package dev.jlightning.strategy;

/**
 * A distributed job could not go on: a collective failed because another rank stopped or the collective timeout
 * passed, or a rank of the job exited with an error.
 *
 * <p>Lightning surfaces these as {@code torch.distributed.DistBackendError} or the launcher's
 * "Child process ... terminated" message; here they are one type so a caller can tell them apart from a bug in the
 * module.
 */
public final class DistributedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DistributedException(String message) {
        super(message);
    }

    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }
}
