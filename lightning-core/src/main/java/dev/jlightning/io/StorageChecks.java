package dev.jlightning.io;

import dev.jlightning.io.RestrictedUnpickler.PickledTensor;
import dev.jlightning.io.RestrictedUnpickler.StorageRef;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Checks every tensor a pickle describes against the storage records its archive really holds: the record exists,
 * holds at least the elements its persistent id declares, every reference to it agrees on dtype and element count,
 * and the view (sizes, strides, offset) lies inside it ({@link TensorBounds}).
 *
 * <p>Both readers of pickled tensors go through here: {@code torch.save} files imported as weights, and the LibTorch
 * archive inside a JLightning checkpoint, which LibTorch's own unpickler would otherwise rebuild with
 * {@code set_(storage, offset, sizes, strides)} and no check against the record's length. PyTorch's counterpart is
 * the {@code _rebuild_tensor_v2} path of {@code torch.load}, which trusts the pickle; here a lying pickle is refused
 * before any pointer to its bytes reaches native code.
 */
public final class StorageChecks {

    private final String source;
    private final String prefix;
    private final Function<String, OptionalLong> recordBytes;
    private final Map<String, StorageRef> seen = new HashMap<>();

    /**
     * @param source names the file in messages
     * @param prefix the record name prefix of storages, e.g. {@code "archive/data/"}
     * @param recordBytes the byte length of a record by its full name, empty when the archive lacks it
     */
    public StorageChecks(String source, String prefix, Function<String, OptionalLong> recordBytes) {
        this.source = source;
        this.prefix = prefix;
        this.recordBytes = recordBytes;
    }

    /**
     * Checks one tensor and returns the number of bytes its storage declares (at most the record's length).
     *
     * @param key names the tensor in messages
     * @throws WeightsFileException naming the tensor, the storage and the numbers that do not fit
     */
    public long check(String key, PickledTensor t) {
        StorageRef s = t.storage();
        StorageRef before = seen.putIfAbsent(s.key(), s);
        if (before != null && before.dtype() != s.dtype()) {
            throw new WeightsFileException(source + ": storage '" + s.key() + "' is read both as " + before.dtype()
                    + " and as " + s.dtype() + " (tensor '" + key + "')");
        }
        if (before != null && before.numel() != s.numel()) {
            throw new WeightsFileException(source + ": storage '" + s.key() + "' is declared with " + s.numel()
                    + " elements in one place and " + before.numel() + " in another");
        }
        String name = prefix + s.key();
        long needed;
        try {
            needed = Math.multiplyExact(s.numel(), (long) s.dtype().size());
        } catch (ArithmeticException ex) {
            throw new WeightsFileException(source + ": storage '" + s.key() + "' declares " + s.numel()
                    + " elements");
        }
        OptionalLong have = recordBytes.apply(name);
        if (have.isEmpty()) {
            throw new WeightsFileException(source + ": tensor '" + key + "' refers to storage '" + s.key()
                    + "' but the archive has no entry " + name);
        }
        if (have.getAsLong() < needed) {
            throw new WeightsFileException(source + ": storage '" + s.key() + "' (tensor '" + key + "') declares "
                    + s.numel() + " "
                    + s.dtype() + " elements (" + needed + " bytes) but its entry " + name + " holds "
                    + have.getAsLong() + " bytes");
        }
        try {
            TensorBounds.check("tensor '" + key + "'", s.dtype(), t.shape(), t.strides(), t.offset(), needed);
        } catch (WeightsFileException e) {
            throw new WeightsFileException(source + " is refused: " + e.getMessage());
        }
        return needed;
    }

    /**
     * Checks every tensor anywhere inside {@code root} (an unpickled value), walking it without recursion.
     *
     * @return how many tensors were checked
     */
    public int checkAll(Object root) {
        int[] count = {0};
        forEachTensor(root, (where, t) -> {
            check(where, t);
            count[0]++;
        });
        return count[0];
    }

    /** Calls {@code action} with a dotted path and each tensor inside {@code root}; shared containers once. */
    static void forEachTensor(Object root, BiConsumer<String, PickledTensor> action) {
        record Item(String where, Object value) {
        }
        Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Item> todo = new ArrayDeque<>();
        todo.push(new Item("", root));
        while (!todo.isEmpty()) {
            Item item = todo.pop();
            Object v = item.value();
            if (v instanceof PickledTensor t) {
                action.accept(item.where().isEmpty() ? "<root>" : item.where(), t);
            } else if ((v instanceof Map<?, ?> || v instanceof List<?>) && done.add(v)) {
                if (v instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        todo.push(new Item(join(item.where(), String.valueOf(e.getKey())), e.getValue()));
                    }
                } else {
                    List<?> l = (List<?>) v;
                    for (int i = l.size() - 1; i >= 0; i--) {
                        todo.push(new Item(item.where() + "[" + i + "]", l.get(i)));
                    }
                }
            }
        }
    }

    private static String join(String where, String key) {
        return where.isEmpty() ? key : where + "." + key;
    }
}
