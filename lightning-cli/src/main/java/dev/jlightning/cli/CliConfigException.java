package dev.jlightning.cli;

import dev.jlightning.core.MisconfigurationException;

/**
 * A mistake in a {@link LightningCLI} configuration (a config file, a dotted override or the command line), found
 * before anything is built or trained. The message starts with the dotted path of the offending key
 * ({@code trainer.max_epochs}, {@code model.init_args.hidden}) and says what is accepted. jsonargparse reports the
 * same mistakes for Lightning's {@code LightningCLI}, and the launcher exits with its status 2.
 */
public class CliConfigException extends MisconfigurationException {
    private static final long serialVersionUID = 1L;

    /** @param message the dotted path, the offending value and what is accepted */
    public CliConfigException(String message) {
        super(message);
    }

    /** @param message the dotted path, the offending value and what is accepted */
    public CliConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
