package dev.jlightning.optim;

/**
 * When a scheduler steps: after optimizer steps or at epoch ends.
 *
 * <p>Lightning's {@code "interval"} key of the lr scheduler config, whose values are the strings {@code "step"} and
 * {@code "epoch"}; {@link #key()} gives that spelling.
 */
public enum Interval {
    STEP("step"),
    EPOCH("epoch");

    private final String key;

    Interval(String key) {
        this.key = key;
    }

    /** The spelling Lightning uses in configs and files. */
    public String key() {
        return key;
    }

    /** Parses Lightning's spelling, exactly ("step" or "epoch", case-sensitive as in Lightning). */
    public static Interval fromKey(Object value) {
        if ("step".equals(value)) {
            return STEP;
        }
        if ("epoch".equals(value)) {
            return EPOCH;
        }
        throw new dev.jlightning.core.MisconfigurationException(
                "The \"interval\" key in lr scheduler dict must be \"step\" or \"epoch\" but is \"" + value + "\"");
    }
}
