package dev.jlightning.precision;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code "bf16-mixed"} and {@code "16-mixed"}: each step's forward runs under autocast, so that matrix products and
 * convolutions compute in bfloat16 or float16 while the weights, the optimizer and numerically sensitive ops (losses,
 * softmax, norms) stay float32; {@code "16-mixed"} adds a {@link GradScaler}.
 *
 * <p>Counterpart of Lightning's {@code MixedPrecision(precision, device, scaler)}. With a scaler the order of an
 * optimizer step is Lightning's: backward of the scaled loss, unscale, {@code on_before_optimizer_step} hooks and
 * gradient clipping on the true gradients, {@code scaler.step} (skipped on inf/NaN), {@code scaler.update}. Backward
 * runs outside autocast, as PyTorch recommends. The scaler's state is checkpointed under {@code "MixedPrecision"}.
 */
public final class MixedPrecision implements Precision {

    private final ScalarType dtype;
    private final DeviceType deviceType;
    private final GradScaler scaler;

    /** @param scaler the gradient scaler, or null for none (bf16-mixed) */
    MixedPrecision(ScalarType dtype, DeviceType deviceType, GradScaler scaler) {
        this.dtype = dtype;
        this.deviceType = deviceType;
        this.scaler = scaler;
    }

    /**
     * {@code MixedPrecision("bf16-mixed" | "16-mixed", device)} as Lightning builds it from the flag: a default
     * {@link GradScaler} for {@code "16-mixed"}, none for {@code "bf16-mixed"}. Unlike the Trainer's
     * {@code precision} option this does not refuse float16 on CPU, where LibTorch's autocast supports it too.
     *
     * @throws dev.jlightning.core.MisconfigurationException for another flag
     */
    public static MixedPrecision of(String flag, DeviceType deviceType) {
        String f = PrecisionFlags.canonical(flag);
        return of(f, deviceType, f.equals("16-mixed") ? Optional.of(GradScaler.create()) : Optional.empty());
    }

    /**
     * {@code MixedPrecision(precision, device, scaler)}: with the given scaler, which only {@code "16-mixed"}
     * takes, as in Lightning.
     *
     * @throws dev.jlightning.core.MisconfigurationException for another flag, or a scaler with {@code "bf16-mixed"}
     */
    public static MixedPrecision of(String flag, DeviceType deviceType, Optional<GradScaler> scaler) {
        String f = PrecisionFlags.canonical(flag);
        if (!f.endsWith("-mixed")) {
            throw new MisconfigurationException("MixedPrecision takes precision 'bf16-mixed' or '16-mixed', got '"
                    + flag + "'");
        }
        if (f.equals("bf16-mixed") && scaler.isPresent()) {
            throw new MisconfigurationException("`precision='bf16-mixed'` does not use a scaler, found "
                    + scaler.get() + ".");
        }
        return new MixedPrecision(f.equals("bf16-mixed") ? ScalarType.BFloat16 : ScalarType.Half, deviceType,
                scaler.orElse(null));
    }

    @Override
    public String name() {
        return dtype == ScalarType.BFloat16 ? "bf16-mixed" : "16-mixed";
    }

    /** The autocast dtype: {@code BFloat16} or {@code Half}. */
    public ScalarType dtype() {
        return dtype;
    }

    /** The device type autocast is enabled for: {@code CPU} or {@code CUDA}. */
    public DeviceType deviceType() {
        return deviceType;
    }

    @Override
    public ForwardContext forwardContext() {
        return Autocast.enter(deviceType, dtype);
    }

    @Override
    public Tensor preBackward(Tensor loss) {
        return scaler == null ? loss : scaler.scale(loss);
    }

    @Override
    public void beforeOptimizerStep(Optimizer optimizer) {
        if (scaler != null) {
            scaler.unscale(optimizer);
        }
    }

    @Override
    public boolean optimizerStep(Optimizer optimizer) {
        if (scaler == null) {
            optimizer.step();
            return true;
        }
        boolean stepped = scaler.step(optimizer);
        scaler.update();
        return stepped;
    }

    @Override
    public Optional<GradScaler> scaler() {
        return Optional.ofNullable(scaler);
    }

    @Override
    public Map<String, Object> stateDict() {
        return scaler == null ? Map.of() : scaler.stateDict();
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        if (scaler != null) {
            scaler.loadStateDict(state);
        }
    }

    @Override
    public String toString() {
        return "MixedPrecision(" + name() + ", " + deviceType + ")";
    }
}
