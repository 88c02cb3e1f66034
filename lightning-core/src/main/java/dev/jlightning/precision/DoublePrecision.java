package dev.jlightning.precision;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code "64-true"}: the module's parameters and buffers and the floating-point inputs become float64, and tensors a
 * step creates default to float64. Lightning: {@code DoublePrecision}.
 */
public final class DoublePrecision extends ConvertingPrecision {

    DoublePrecision() {
        super(ScalarType.Double);
    }

    @Override
    public String name() {
        return "64-true";
    }
}
