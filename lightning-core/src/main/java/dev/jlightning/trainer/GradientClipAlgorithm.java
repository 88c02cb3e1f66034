package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;

/** How gradients are clipped: Lightning's {@code gradient_clip_algorithm}, "norm" (default) or "value". */
public enum GradientClipAlgorithm {
    /** Rescale all gradients together so their total 2-norm is at most the clip value. */
    NORM,
    /** Clamp each gradient element into {@code [-value, value]}. */
    VALUE;

    /** Parses Lightning's spelling. */
    public static GradientClipAlgorithm fromKey(String key) {
        if ("norm".equals(key)) {
            return NORM;
        }
        if ("value".equals(key)) {
            return VALUE;
        }
        throw new MisconfigurationException("`gradient_clip_algorithm` " + key + " is invalid. Allowed algorithms:"
                + " ['norm', 'value']");
    }
}
