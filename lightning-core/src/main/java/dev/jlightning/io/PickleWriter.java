package dev.jlightning.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * Emits the protocol-2 pickle that {@code torch.save} writes for a state dict or a checkpoint dict.
 *
 * <p>Counterpart of Python's {@code pickle.Pickler(protocol=2)} with PyTorch's {@code persistent_id}: each tensor is
 * {@code torch._utils._rebuild_tensor_v2(<persistent storage>, offset, size, stride, False, OrderedDict())}, the
 * state dict an {@code collections.OrderedDict}. Those globals and {@code torch.*Storage} are exactly what
 * {@code torch.load(weights_only=True)} allows, so the files open under PyTorch's safe loader.
 */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 12);

    /** Writes the whole pickle and returns the tensors whose bytes become storages {@code 0..n-1}. */
    List<Tensor> stateDictWithStorages(Map<String, Tensor> stateDict, Optional<Map<String, Object>> checkpoint) {
        List<Tensor> storages = new ArrayList<>();
        out.write(0x80);
        out.write(2);
        if (checkpoint.isPresent()) {
            out.write('}');
            out.write('(');
            text("state_dict");
            orderedDict(stateDict, storages);
            for (Map.Entry<String, Object> e : checkpoint.get().entrySet()) {
                text(e.getKey());
                value(e.getKey(), e.getValue());
            }
            out.write('u');
        } else {
            orderedDict(stateDict, storages);
        }
        out.write('.');
        return storages;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void orderedDict(Map<String, Tensor> stateDict, List<Tensor> storages) {
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        if (stateDict.isEmpty()) {
            return;
        }
        // Tensors that are the same memory with the same view (tied weights) share one storage, as in PyTorch.
        Map<String, Integer> seen = new HashMap<>();
        out.write('(');
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            Tensor t = e.getValue();
            DType dtype = TensorBytes.dtypeOf(e.getKey(), t);
            long[] shape = t.sizes().vec().get();
            String identity = t.data_ptr().address() + "/" + dtype + Arrays.toString(shape)
                    + Arrays.toString(t.strides().vec().get());
            Integer index = t.numel() == 0 ? null : seen.get(identity);
            if (index == null) {
                index = storages.size();
                storages.add(t);
                seen.put(identity, index);
            }
            text(e.getKey());
            global("torch._utils", "_rebuild_tensor_v2");
            out.write('(');
            out.write('(');
            text("storage");
            global("torch", dtype.storageClass());
            text(String.valueOf(index));
            text("cpu");
            integer(t.numel());
            out.write('t');
            out.write('Q');
            integer(0);
            tuple(shape);
            tuple(TensorBounds.contiguousStrides(shape));
            out.write(0x89);
            global("collections", "OrderedDict");
            out.write(')');
            out.write('R');
            out.write('t');
            out.write('R');
        }
        out.write('u');
    }

    private void value(String where, Object v) {
        if (v == null) {
            out.write('N');
        } else if (v instanceof Boolean b) {
            out.write(b ? 0x88 : 0x89);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            integer(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            out.write('G');
            long bits = Double.doubleToRawLongBits(((Number) v).doubleValue());
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        } else if (v instanceof CharSequence s) {
            text(s.toString());
        } else if (v instanceof Map<?, ?> m) {
            out.write('}');
            if (!m.isEmpty()) {
                out.write('(');
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException(where + " has a non-string key " + e.getKey());
                    }
                    text(k);
                    value(where + "." + k, e.getValue());
                }
                out.write('u');
            }
        } else if (v instanceof List<?> l) {
            out.write(']');
            if (!l.isEmpty()) {
                out.write('(');
                for (int i = 0; i < l.size(); i++) {
                    value(where + "[" + i + "]", l.get(i));
                }
                out.write('e');
            }
        } else {
            throw new IllegalArgumentException(where + " is a " + v.getClass().getName()
                    + "; a checkpoint holds numbers, strings, booleans, null, lists and maps");
        }
    }

    private void global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        int n = b.length;
        out.write(n);
        out.write(n >>> 8);
        out.write(n >>> 16);
        out.write(n >>> 24);
        out.writeBytes(b);
    }

    private void tuple(long[] values) {
        out.write('(');
        for (long v : values) {
            integer(v);
        }
        out.write('t');
    }

    private void integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        } else {
            // LONG1 with 8 little-endian two's-complement bytes, as pickle encodes ints beyond 32 bits
            out.write(0x8a);
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }
    }
}
