package dev.jlightning.precision;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code "bf16-true"} and {@code "16-true"}: the module's parameters and buffers, the floating-point inputs and the
 * tensors a step creates are bfloat16 or float16 throughout, optimizer state included, with no scaler. Lightning:
 * {@code HalfPrecision}.
 */
public final class HalfPrecision extends ConvertingPrecision {

    HalfPrecision(ScalarType dtype) {
        super(dtype);
    }

    @Override
    public String name() {
        return dtype() == ScalarType.BFloat16 ? "bf16-true" : "16-true";
    }
}
