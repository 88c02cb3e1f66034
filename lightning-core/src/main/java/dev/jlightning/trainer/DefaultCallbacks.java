package dev.jlightning.trainer;

import dev.jlightning.core.Callback;
import java.util.List;

/**
 * A provider of the callbacks a {@link Trainer} adds by itself, found with {@link java.util.ServiceLoader}.
 *
 * <p>Counterpart of Lightning's {@code _CallbackConnector}, which appends a {@code TQDMProgressBar} and a
 * {@code ModelSummary} unless {@code enable_progress_bar} / {@code enable_model_summary} are off or the user passed
 * one. The core module cannot name those callbacks (they live in the callbacks module, which depends on core), so
 * the callbacks module registers an implementation of this interface in
 * {@code META-INF/services/dev.jlightning.trainer.DefaultCallbacks}; without it on the class path a Trainer has only
 * the callbacks it was given.
 */
public interface DefaultCallbacks {

    /**
     * The callbacks to append for this configuration.
     *
     * @param config the Trainer's configuration ({@link TrainerConfig#enableProgressBar()},
     *     {@link TrainerConfig#enableModelSummary()})
     * @param configured the callbacks the user gave, plus those earlier providers added, in order
     * @return the callbacks to append; empty for none
     * @throws dev.jlightning.core.MisconfigurationException if the configured callbacks contradict the configuration
     *     (e.g. a progress bar among them while {@code enableProgressBar(false)})
     */
    List<Callback> create(TrainerConfig config, List<Callback> configured);
}
