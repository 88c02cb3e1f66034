package dev.jlightning.precision;

import dev.jlightning.data.Batch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The "true" precisions other than 32: the module, the floating-point inputs and new tensors take one dtype. */
abstract class ConvertingPrecision implements Precision {

    private final ScalarType dtype;

    ConvertingPrecision(ScalarType dtype) {
        this.dtype = dtype;
    }

    /** The dtype the module and inputs are converted to. */
    public ScalarType dtype() {
        return dtype;
    }

    @Override
    public ForwardContext forwardContext() {
        return new DefaultDtype(dtype);
    }

    @Override
    public void convertModule(Module module) {
        module.to(dtype, false);
    }

    @Override
    public Batch convertInput(Batch batch) {
        boolean convert = false;
        for (Tensor t : batch.tensors()) {
            // JavaCPP hands out a new enum object for each native value: compare interned constants
            ScalarType type = t.scalar_type().intern();
            if (isFloating(type) && type != dtype) {
                convert = true;
                break;
            }
        }
        if (!convert) {
            return batch;
        }
        List<Tensor> out = new ArrayList<>(batch.size());
        for (Tensor t : batch.tensors()) {
            // labels and indices keep their integer dtype; a new handle shares their storage
            out.add(isFloating(t.scalar_type().intern()) ? t.to(dtype) : new Tensor(t));
        }
        batch.close();
        return Batch.of(out);
    }

    private static boolean isFloating(ScalarType t) {
        return t == ScalarType.Float || t == ScalarType.Double || t == ScalarType.Half || t == ScalarType.BFloat16;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name() + ")";
    }
}
