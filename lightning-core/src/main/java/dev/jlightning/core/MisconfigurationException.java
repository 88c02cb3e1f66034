package dev.jlightning.core;

/**
 * Thrown when a run is configured in a way that cannot work, before any training happens where possible.
 *
 * <p>Counterpart of Lightning's {@code lightning.fabric.utilities.exceptions.MisconfigurationException}. It is an
 * {@link IllegalArgumentException} because every case is a wrong value given by the user; the message names the
 * offending key or value and what is accepted.
 */
public class MisconfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MisconfigurationException(String message) {
        super(message);
    }

    public MisconfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
