package dev.jlightning.optim;

/** Argument checks of the PaddlePaddle-style schedulers, with Paddle's accepted ranges in the messages. */
final class PaddleChecks {
    private PaddleChecks() {
    }

    /**
     * A decay ratio: Paddle requires {@code gamma < 1}; JLightning also rejects {@code gamma <= 0}, which Paddle lets
     * through although it turns the schedule into zeros or negative learning rates.
     */
    static double decayFactor(String owner, String key, double value) {
        if (!(value > 0.0 && value < 1.0)) {
            throw Checks.invalid(owner, key, value, "expected 0 < " + key + " < 1 (new_lr = origin_lr * " + key + ")");
        }
        return value;
    }

    static double positive(String owner, String key, double value) {
        if (!(value > 0.0) || Double.isInfinite(value)) {
            throw Checks.invalid(owner, key, value, "expected a finite number > 0");
        }
        return value;
    }
}
