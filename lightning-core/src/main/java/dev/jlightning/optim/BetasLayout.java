package dev.jlightning.optim;

import org.bytedeco.pytorch.AdamOptions;

/**
 * Where beta1 and beta2 sit inside LibTorch's {@code std::tuple<double, double>} betas option.
 *
 * <p>The presets map the tuple as a raw {@code DoublePointer}; libstdc++ lays a tuple out in reverse, so on Linux
 * index 0 holds beta2. Rather than assume a standard library, the layout is read once from a default
 * {@code AdamOptions}, whose betas are (0.9, 0.999) in every LibTorch release.
 */
final class BetasLayout {
    static final int BETA1;
    static final int BETA2;

    static {
        AdamOptions defaults = new AdamOptions();
        try {
            double first = defaults.betas().get(0);
            double second = defaults.betas().get(1);
            if (first == 0.9 && second == 0.999) {
                BETA1 = 0;
                BETA2 = 1;
            } else if (first == 0.999 && second == 0.9) {
                BETA1 = 1;
                BETA2 = 0;
            } else {
                throw new IllegalStateException("cannot tell the betas layout: default AdamOptions betas read as ("
                        + first + ", " + second + "), expected 0.9 and 0.999 in some order");
            }
        } finally {
            defaults.close();
        }
    }

    private BetasLayout() {
    }
}
