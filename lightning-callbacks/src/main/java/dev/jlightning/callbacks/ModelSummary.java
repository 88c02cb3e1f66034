package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.trainer.Trainer;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Logs a table of the module's layers (name, type, parameters, train/eval mode) with the trainable, non-trainable and
 * total parameter counts and the estimated size, at fit start.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.ModelSummary}; the table is {@link ModelSummaryTable}'s,
 * logged at INFO on this class's logger as Lightning logs it. A Trainer adds one with {@code maxDepth} 1 unless
 * {@code enableModelSummary(false)} or a {@code ModelSummary} is among its callbacks. The last summary is kept for
 * inspection ({@link #lastSummary()}).
 */
public final class ModelSummary implements Callback {

    private static final Logger LOG = LogManager.getLogger(ModelSummary.class);

    private final int maxDepth;
    private Optional<ModelSummaryTable> lastSummary = Optional.empty();

    /** Lightning's default: the direct children ({@code max_depth=1}). */
    public ModelSummary() {
        this(1);
    }

    /**
     * @param maxDepth how deep to list layers: 1 for the direct children, -1 for all, 0 to print nothing
     * @throws MisconfigurationException for a depth below -1
     */
    public ModelSummary(int maxDepth) {
        if (maxDepth < -1) {
            throw new MisconfigurationException("ModelSummary `max_depth` can be -1, 0 or > 0, got " + maxDepth);
        }
        this.maxDepth = maxDepth;
    }

    public int maxDepth() {
        return maxDepth;
    }

    /** The summary printed by the last fit; empty before one, or with {@code maxDepth} 0. */
    public Optional<ModelSummaryTable> lastSummary() {
        return lastSummary;
    }

    @Override
    public void onFitStart(Trainer trainer, LightningModule module) {
        if (maxDepth == 0 || !trainer.isGlobalZero()) {
            return;
        }
        ModelSummaryTable summary = ModelSummaryTable.of(module, maxDepth);
        lastSummary = Optional.of(summary);
        LOG.info("\n{}", summary);
    }
}
