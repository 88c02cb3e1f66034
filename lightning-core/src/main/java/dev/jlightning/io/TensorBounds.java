package dev.jlightning.io;

import java.util.Arrays;

/**
 * Checks that a tensor described by a file (dtype, shape, strides, storage offset) lies inside the storage bytes the
 * file really has, before any pointer to those bytes reaches LibTorch.
 *
 * <p>PyTorch's {@code _rebuild_tensor_v2} trusts the pickle's sizes and strides ({@code set_} checks them against
 * the storage only in some versions); safetensors' Rust reader checks {@code data_offsets} against the shape. We do
 * both here, in exact 64-bit arithmetic, because a pointer handed to {@code from_blob} with a lying extent would let
 * native code read past a mapping and crash the JVM instead of raising an exception.
 */
public final class TensorBounds {

    private TensorBounds() {
    }

    /**
     * The number of elements of a shape.
     *
     * @throws WeightsFileException if a dimension is negative or the product overflows
     */
    public static long numel(String what, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new WeightsFileException(what + " has a negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new WeightsFileException(what + " has a shape whose element count overflows: "
                        + Arrays.toString(shape));
            }
        }
        return n;
    }

    /** Row-major strides of a shape, as {@code torch.empty(shape).stride()}. */
    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * Checks that every element the view addresses lies in a storage of {@code storageBytes} bytes.
     *
     * @param offset the storage offset in elements, as {@code tensor.storage_offset()}
     * @throws WeightsFileException naming {@code what} and the numbers that do not fit
     */
    public static void check(String what, DType dtype, long[] shape, long[] strides, long offset, long storageBytes) {
        if (shape.length != strides.length) {
            throw new WeightsFileException(what + " has shape " + Arrays.toString(shape) + " but strides "
                    + Arrays.toString(strides));
        }
        if (shape.length > 64) {
            throw new WeightsFileException(what + " has " + shape.length + " dimensions");
        }
        if (offset < 0) {
            throw new WeightsFileException(what + " has a negative storage offset " + offset);
        }
        if (storageBytes < 0 || storageBytes % dtype.size() != 0) {
            throw new WeightsFileException(what + ": its storage of " + storageBytes + " bytes does not hold whole "
                    + dtype + " elements");
        }
        long storageElements = storageBytes / dtype.size();
        long numel = numel(what, shape);
        if (numel == 0) {
            if (offset > storageElements) {
                throw new WeightsFileException(what + " starts at element " + offset + " of a storage of "
                        + storageElements + " elements");
            }
            return;
        }
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (strides[i] < 0) {
                    throw new WeightsFileException(what + " has a negative stride in " + Arrays.toString(strides));
                }
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
            }
        } catch (ArithmeticException e) {
            throw new WeightsFileException(what + " has strides " + Arrays.toString(strides) + " and shape "
                    + Arrays.toString(shape) + " whose extent overflows");
        }
        if (last >= storageElements) {
            throw new WeightsFileException(what + " (" + dtype + ", shape " + Arrays.toString(shape) + ", strides "
                    + Arrays.toString(strides) + ", offset " + offset + ") reaches element " + last
                    + " but its storage holds " + storageElements + " elements (" + storageBytes + " bytes)");
        }
    }
}
