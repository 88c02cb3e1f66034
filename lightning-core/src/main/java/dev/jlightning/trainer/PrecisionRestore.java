package dev.jlightning.trainer;

import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointException;
import dev.jlightning.checkpoint.CheckpointJson;
import dev.jlightning.precision.GradScaler;
import dev.jlightning.precision.Precision;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The precision part of a resume: the saved precision compared with the Trainer's (a warning when they differ) and
 * the plugin's state (the gradient scaler's) checked before anything is restored and applied with the rest.
 *
 * <p>Counterpart of Lightning's {@code _CheckpointConnector.restore_precision_plugin_state}: the state is read from
 * the key named after the plugin's class ({@code "MixedPrecision"}) or from the legacy
 * {@code "native_amp_scaling_state"}. Lightning does not record the precision flag; JLightning adds
 * {@code "precision"} so that a resume with another precision does not go unnoticed.
 */
final class PrecisionRestore {

    private static final Logger LOG = LogManager.getLogger(PrecisionRestore.class);
    private static final String LEGACY_SCALER_KEY = "native_amp_scaling_state";

    private final Precision precision;
    private final Map<String, Object> state;

    private PrecisionRestore(Precision precision, Map<String, Object> state) {
        this.precision = precision;
        this.state = state;
    }

    static PrecisionRestore check(Checkpoint ckpt, Precision precision) {
        String source = ckpt.source();
        Object saved = ckpt.json().get(CheckpointConnector.PRECISION_KEY);
        if (saved instanceof String && !saved.equals(precision.name())) {
            LOG.warn("{} was saved with precision='{}', but this Trainer trains with precision='{}'. The weights and"
                    + " optimizer states are restored as they were saved; {}", source, saved, precision.name(),
                    precision.scaler().isPresent() ? "the gradient scaler starts from its initial scale."
                            : "results will differ from an uninterrupted run.");
        }
        if (precision.scaler().isEmpty()) {
            return new PrecisionRestore(precision, Map.of());
        }
        String key = precision.getClass().getSimpleName();
        Object raw = ckpt.json().containsKey(key) ? ckpt.json().get(key) : ckpt.json().get(LEGACY_SCALER_KEY);
        if (raw == null) {
            return new PrecisionRestore(precision, Map.of());
        }
        Map<String, Object> state = new LinkedHashMap<>(CheckpointJson.toMap(raw, source + ": '" + key + "'"));
        try {
            // a throwaway scaler takes the state first, so a bad value fails before anything is restored
            GradScaler.create().loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": the gradient scaler state under '" + key + "' cannot be"
                    + " restored: " + e.getMessage(), e);
        }
        return new PrecisionRestore(precision, state);
    }

    void apply() {
        if (!state.isEmpty()) {
            precision.loadStateDict(state);
        }
    }
}
