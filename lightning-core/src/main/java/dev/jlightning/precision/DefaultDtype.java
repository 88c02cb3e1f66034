package dev.jlightning.precision;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LibTorch's default floating-point dtype set for a region and restored on close. Lightning: the
 * {@code _DtypeContextManager} of {@code DoublePrecision} and {@code HalfPrecision}, so that tensors a step creates
 * without a dtype ({@code torch.zeros(...)}) match the converted module. Unlike autocast this setting is process-wide
 * in LibTorch, as it is in PyTorch.
 */
final class DefaultDtype implements ForwardContext {

    private final ScalarType previous;

    DefaultDtype(ScalarType dtype) {
        this.previous = torch.get_default_dtype_as_scalartype().intern();
        torch.set_default_dtype(torch.scalarTypeToTypeMeta(dtype));
    }

    @Override
    public void close() {
        torch.set_default_dtype(torch.scalarTypeToTypeMeta(previous));
    }
}
