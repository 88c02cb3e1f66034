package dev.jlightning.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.from_blob;

/**
 * One tensor of a weight file, described and bounds-checked but not yet copied: dtype, shape, strides and storage
 * offset over a storage that is a read-only memory mapping of the file.
 *
 * <p>Counterpart of what {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride)} returns, before
 * anything is materialised. Two entries that share a {@link #storageId()} are views of the same bytes (tied weights,
 * slices), exactly as in the file. The bounds were checked by {@link TensorBounds} when the file was opened, so
 * {@link #view()} never hands LibTorch a pointer past the mapping.
 *
 * @param key the state-dict key in the file
 * @param offset the storage offset in elements
 * @param storageId names the storage inside the file (a zip entry, or the safetensors key)
 * @param storage the storage's bytes: a direct, read-only buffer whose capacity is the storage's size
 */
public record StoredTensor(String key, DType dtype, long[] shape, long[] strides, long offset, String storageId,
        ByteBuffer storage) {

    public StoredTensor {
        shape = shape.clone();
        strides = strides.clone();
        TensorBounds.check("tensor '" + key + "'", dtype, shape, strides, offset, storage.capacity());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] strides() {
        return strides.clone();
    }

    /** The number of elements. */
    public long numel() {
        return TensorBounds.numel(key, shape);
    }

    /** Whether the elements are laid out row-major without gaps, as {@code tensor.is_contiguous()}. */
    public boolean isContiguous() {
        return numel() <= 1 || Arrays.equals(effective(strides), effective(TensorBounds.contiguousStrides(shape)));
    }

    private long[] effective(long[] s) {
        // PyTorch ignores the stride of size-1 dimensions when it decides contiguity
        long[] copy = s.clone();
        for (int i = 0; i < copy.length; i++) {
            if (shape[i] == 1) {
                copy[i] = 0;
            }
        }
        return copy;
    }

    /**
     * A LibTorch tensor that views the mapped bytes without copying. It is valid only while the {@link StateDictFile}
     * that produced this entry is open and reachable; copy it ({@code clone()}, {@code copy_}) to keep the values.
     * The view is read-only in spirit: the mapping is read-only and writing through it crashes.
     */
    public Tensor view() {
        if (numel() == 0) {
            return empty(shape).to(dtype.scalarType());
        }
        BytePointer base = new BytePointer(storage);
        base.position(Math.multiplyExact(offset, (long) dtype.size()));
        return from_blob(base, shape, strides, new TensorOptions(dtype.scalarType()));
    }

    /** An owned, contiguous copy of the values. Lightning/PyTorch: the tensor {@code torch.load} returns. */
    public Tensor toTensor() {
        return view().clone();
    }

    @Override
    public String toString() {
        return key + ": " + dtype + Arrays.toString(shape);
    }
}
