package dev.jlightning.precision;

import dev.jlightning.core.MisconfigurationException;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Lightning's precision flags, their aliases, and the plugin each selects ({@code _AcceleratorConnector}). */
final class PrecisionFlags {

    static final List<String> FLAGS = List.of("64-true", "32-true", "16-true", "bf16-true", "16-mixed", "bf16-mixed");

    /** Lightning's short forms, which it maps (with a deprecation note in 2.x) to the full names. */
    private static final Map<String, String> ALIASES = Map.of("64", "64-true", "32", "32-true", "16", "16-mixed",
            "bf16", "bf16-mixed");

    private PrecisionFlags() {
    }

    static String canonical(String flag) {
        if (flag == null) {
            throw new MisconfigurationException("precision must be one of " + accepted() + ", got null");
        }
        String f = flag.trim();
        if (FLAGS.contains(f)) {
            return f;
        }
        String alias = ALIASES.get(f);
        if (alias != null) {
            return alias;
        }
        throw new MisconfigurationException("Precision '" + flag + "' is invalid. Allowed precision values: "
                + accepted());
    }

    static String accepted() {
        return "[64-true, 32-true, 16-true, bf16-true, 16-mixed, bf16-mixed] (or 64, 32, 16, bf16)";
    }

    static Precision create(String canonical, DeviceType deviceType) {
        switch (canonical) {
            case "32-true":
                return PlainPrecision.INSTANCE;
            case "64-true":
                return new DoublePrecision();
            case "bf16-true":
                return new HalfPrecision(ScalarType.BFloat16);
            case "16-true":
                return new HalfPrecision(ScalarType.Half);
            case "bf16-mixed":
                return new MixedPrecision(ScalarType.BFloat16, deviceType, null);
            case "16-mixed":
                if (deviceType == DeviceType.CPU) {
                    throw new MisconfigurationException("`Trainer(accelerator='cpu', precision='16-mixed')` is not"
                            + " supported: float16 autocast with a gradient scaler needs a CUDA device. Use"
                            + " precision='bf16-mixed' on CPU.");
                }
                return new MixedPrecision(ScalarType.Half, deviceType, GradScaler.create());
            default:
                throw new IllegalStateException(canonical);
        }
    }
}
