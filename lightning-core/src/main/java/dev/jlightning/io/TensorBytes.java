package dev.jlightning.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;

/** The raw little-endian bytes of a LibTorch tensor, as both weight formats store them. */
final class TensorBytes {

    private TensorBytes() {
    }

    static DType dtypeOf(String key, Tensor t) {
        return DType.fromScalarType(t.scalar_type()).orElseThrow(() -> new WeightsFileException("tensor '" + key
                + "' has dtype " + t.scalar_type().intern() + ", which the weight formats JLightning writes cannot hold"));
    }

    private static void requireLittleEndian() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // Both formats are little-endian; a big-endian host would need byte swapping we do not do.
            throw new UnsupportedOperationException("weight files can only be written on little-endian machines");
        }
    }

    /** Appends the tensor's bytes, row-major, to the channel; the CPU copy lives only inside this call. */
    static void write(Tensor tensor, FileChannel channel) throws IOException {
        requireLittleEndian();
        if (tensor.numel() == 0) {
            return;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = tensor.to(new Device(DeviceType.CPU), tensor.scalar_type()).contiguous();
            long n = cpu.nbytes();
            BytePointer data = new BytePointer(cpu.data_ptr()).capacity(n);
            for (long done = 0; done < n; ) {
                long chunk = Math.min(n - done, 1L << 30);
                ByteBuffer view = data.position(done).limit(done + chunk).asByteBuffer();
                Safetensors.writeFully(channel, view);
                done += chunk;
            }
        }
    }

    /** The tensor's bytes, row-major, copied into the heap (at most 2 GiB). */
    static byte[] toArray(String key, Tensor tensor) {
        requireLittleEndian();
        long n = tensor.numel() * tensor.element_size();
        if (n > Integer.MAX_VALUE - 16) {
            throw new WeightsFileException("tensor '" + key + "' is " + n + " bytes; over 2 GiB is not supported");
        }
        byte[] out = new byte[(int) n];
        if (n == 0) {
            return out;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor cpu = tensor.to(new Device(DeviceType.CPU), tensor.scalar_type()).contiguous();
            new BytePointer(cpu.data_ptr()).capacity(n).get(out);
        }
        return out;
    }
}
