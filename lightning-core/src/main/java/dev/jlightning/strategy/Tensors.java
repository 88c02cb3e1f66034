package dev.jlightning.strategy;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Moves small vectors of doubles between Java and CPU float64 tensors for collectives. */
final class Tensors {

    private Tensors() {
    }

    static Tensor fromDoubles(double[] values) {
        Tensor t = torch.empty(new long[] {values.length}, new TensorOptions(torch.ScalarType.Double),
                new org.bytedeco.pytorch.MemoryFormatOptional());
        DoublePointer p = new DoublePointer(t.data_ptr_double());
        p.capacity(values.length).put(values);
        return t;
    }

    static double[] toDoubles(Tensor t) {
        double[] out = new double[(int) t.numel()];
        new DoublePointer(t.data_ptr_double()).capacity(out.length).get(out);
        return out;
    }
}
