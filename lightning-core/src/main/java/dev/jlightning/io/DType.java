package dev.jlightning.io;

import java.util.Optional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The element types JLightning reads and writes in weight files, with their names in each format.
 *
 * <p>Counterpart of {@code torch.dtype} as it appears in files: safetensors' {@code "dtype"} strings ({@code F32},
 * {@code BF16}, ...) and the legacy storage classes {@code torch.save} names in its pickle ({@code FloatStorage},
 * {@code BFloat16Storage}, ...). All are little-endian, as both formats store them on every platform PyTorch runs on.
 */
public enum DType {
    F32(ScalarType.Float, 4, "FloatStorage", "torch.float32"),
    F16(ScalarType.Half, 2, "HalfStorage", "torch.float16"),
    BF16(ScalarType.BFloat16, 2, "BFloat16Storage", "torch.bfloat16"),
    F64(ScalarType.Double, 8, "DoubleStorage", "torch.float64"),
    I64(ScalarType.Long, 8, "LongStorage", "torch.int64"),
    I32(ScalarType.Int, 4, "IntStorage", "torch.int32"),
    I16(ScalarType.Short, 2, "ShortStorage", "torch.int16"),
    I8(ScalarType.Char, 1, "CharStorage", "torch.int8"),
    U8(ScalarType.Byte, 1, "ByteStorage", "torch.uint8"),
    BOOL(ScalarType.Bool, 1, "BoolStorage", "torch.bool");

    private final ScalarType scalarType;
    private final int size;
    private final String storageClass;
    private final String torchName;

    DType(ScalarType scalarType, int size, String storageClass, String torchName) {
        this.scalarType = scalarType;
        this.size = size;
        this.storageClass = storageClass;
        this.torchName = torchName;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** LibTorch's scalar type. */
    public ScalarType scalarType() {
        return scalarType;
    }

    /** The safetensors name, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return name();
    }

    /** The storage class {@code torch.save} pickles, e.g. {@code "BFloat16Storage"} (module {@code torch}). */
    public String storageClass() {
        return storageClass;
    }

    /** How PyTorch prints it, e.g. {@code torch.bfloat16}. */
    public String torchName() {
        return torchName;
    }

    /** The dtype of a safetensors {@code "dtype"} string. */
    public static Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The dtype of a pickled storage class name such as {@code FloatStorage}. */
    public static Optional<DType> fromStorageClass(String name) {
        for (DType d : values()) {
            if (d.storageClass.equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The dtype of a LibTorch scalar type; empty for types no weight format here carries (complex, quantized). */
    public static Optional<DType> fromScalarType(ScalarType type) {
        for (DType d : values()) {
            // compared by value: an enum the presets return from native code is not the Java constant (see intern())
            if (d.scalarType.value == type.value) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
