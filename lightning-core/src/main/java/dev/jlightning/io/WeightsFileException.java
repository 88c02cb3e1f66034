package dev.jlightning.io;

/**
 * A weight file that JLightning refuses to read, or a state dict that does not fit the module: the message names the
 * file, the key or global at fault and what was found.
 *
 * <p>Counterpart of the {@code RuntimeError} PyTorch's {@code load_state_dict} raises and of
 * {@code pickle.UnpicklingError} / safetensors' {@code SafetensorError} for files that are malformed or unsafe.
 */
public class WeightsFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WeightsFileException(String message) {
        super(message);
    }

    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
