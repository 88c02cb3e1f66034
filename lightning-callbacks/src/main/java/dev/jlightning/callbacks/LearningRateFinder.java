package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.tuner.LRFinderResult;
import dev.jlightning.tuner.LRFindOptions;
import dev.jlightning.tuner.Tuner;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the learning-rate range test at the start of fit, on the fit's training data, then lets training start from
 * the module's and optimizer's original state with the suggested learning rate.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.LearningRateFinder}: {@link Tuner#lrFind} at
 * {@code on_fit_start} with the given {@link LRFindOptions}; with {@code updateAttr} (the default) the suggestion goes
 * into the module's hparams and the running optimizer's param groups. As in Lightning, schedulers that
 * {@code configureOptimizers} already built keep the learning rates they were built with (a OneCycleLR sets its own
 * on the first step), so to size a schedule from the suggestion call {@code Tuner.lrFind} before fit instead. Put
 * this callback first, as Lightning orders tuner callbacks first.
 */
public final class LearningRateFinder implements Callback {

    private final LRFindOptions options;
    private Optional<LRFinderResult> optimalLr = Optional.empty();

    /** Lightning's defaults: 1e-8 to 1, 100 steps, exponential, threshold 4, updateAttr. */
    public LearningRateFinder() {
        this(LRFindOptions.DEFAULTS);
    }

    public LearningRateFinder(LRFindOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public LRFindOptions options() {
        return options;
    }

    /** The last search's result; empty before fit or when skipped (fastDevRun). Lightning: {@code optimal_lr}. */
    public Optional<LRFinderResult> optimalLr() {
        return optimalLr;
    }

    @Override
    public void onFitStart(Trainer trainer, LightningModule module) {
        optimalLr = new Tuner(trainer).lrFind(module, trainer.trainDataloader().orElseThrow(
                () -> new MisconfigurationException("LearningRateFinder needs the fit's training DataLoader")),
                options);
    }
}
