package dev.jlightning.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle inside a {@code torch.save} file ({@code data.pkl}) as data, never as code: only the opcodes a
 * state dict or a Lightning checkpoint uses, and only a short allow-list of globals, each with a fixed Java meaning.
 *
 * <p>Counterpart of PyTorch's {@code torch._weights_only_unpickler} (what {@code torch.load(weights_only=True)} uses).
 * Python's {@code pickle} calls whatever a file names ({@code os.system}, {@code builtins.eval}, any class's
 * {@code __reduce__}); here a {@code GLOBAL} outside the allow-list is refused at once with its dotted name, and
 * {@code REDUCE}/{@code NEWOBJ}/{@code BUILD} only apply the allow-listed rebuild functions:
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter}
 * (and {@code _with_state}), {@code torch.Size}, Lightning's {@code AttributeDict}; the {@code torch.*Storage}
 * classes may only appear inside a persistent id. The result is checked before it is returned: nesting deeper than
 * {@value #MAX_DEPTH}, a container that contains itself, and memo references that fan out to more than
 * {@value #MAX_NODES} nodes (a "billion laughs" pickle) are refused, so no later walk over the data can overflow
 * the stack or run for ever.
 */
public final class RestrictedUnpickler {

    static final int MAX_DEPTH = 1000;
    static final long MAX_NODES = 10_000_000L;
    static final int MAX_STACK = 1 << 22;
    static final int MAX_MEMO = 1 << 22;

    /** A global the pickle named; only allow-listed ones are ever created. */
    public record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage a persistent id refers to: {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    public record StorageRef(DType dtype, String key, String location, long numel) {
    }

    /** What {@code _rebuild_tensor_v2} returned: a view of a storage. */
    public record PickledTensor(StorageRef storage, long offset, long[] shape, long[] strides, boolean parameter) {
    }

    private static final Object MARK = new Object();
    private static final Set<String> ATTRIBUTE_DICTS = Set.of(
            "pytorch_lightning.utilities.parsing.AttributeDict", "lightning.fabric.utilities.data.AttributeDict",
            "lightning_fabric.utilities.data.AttributeDict");

    private final String source;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final boolean scriptObjects;
    private final Set<Object> objects = Collections.newSetFromMap(new IdentityHashMap<>());

    private RestrictedUnpickler(String source, byte[] pickle, boolean scriptObjects) {
        this.source = source;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.scriptObjects = scriptObjects;
    }

    /**
     * Unpickles {@code pickle}. Dicts become {@code LinkedHashMap}s, lists {@code ArrayList}s, tuples unmodifiable
     * lists, ints {@code Long}, floats {@code Double}, {@code None} {@code null}, tensors {@link PickledTensor}s.
     *
     * @param source names the file in messages
     * @throws WeightsFileException naming the refused global, opcode or limit
     */
    public static Object load(String source, byte[] pickle) {
        return load(source, pickle, false);
    }

    /**
     * Unpickles the {@code data.pkl} of a LibTorch archive ({@code torch::serialize::OutputArchive}, a TorchScript
     * module): as {@link #load}, and in addition the archive's data-only classes ({@code __torch__.Module},
     * {@code __torch__.___torch_mangle_N.Module}) become maps of their attributes. Used to check every tensor's
     * storage before LibTorch's own unpickler sees the archive.
     */
    public static Object loadTorchScriptData(String source, byte[] pickle) {
        return load(source, pickle, true);
    }

    private static Object load(String source, byte[] pickle, boolean scriptObjects) {
        RestrictedUnpickler u = new RestrictedUnpickler(source, pickle, scriptObjects);
        Object result;
        try {
            result = u.run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw u.refuse("the pickle ends in the middle of an instruction");
        }
        checkShape(source, result);
        return result;
    }

    private WeightsFileException refuse(String why) {
        return new WeightsFileException(source + " is refused: " + why + " (pickle byte " + in.position() + ")");
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.get() & 0xFF;
                    if (proto > 5) {
                        throw refuse("pickle protocol " + proto + " is not known");
                    }
                }
                case 0x95 -> in.getLong(); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw refuse("the pickle stops with " + stack.size() + " values on its stack");
                    }
                    return stack.get(0);
                }
                case '(' -> {
                    marks.add(stack.size());
                    push(MARK);
                }
                case '}' -> push(new LinkedHashMap<Object, Object>());
                case ']' -> push(new ArrayList<Object>());
                case ')' -> push(List.of());
                case 't' -> push(Collections.unmodifiableList(new ArrayList<>(popMark())));
                case 0x85 -> push(tuple(pop()));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b, c));
                }
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xFF));
                case 'M' -> push((long) (in.getShort() & 0xFFFF));
                case 0x8a -> push(long1(in.get() & 0xFF));
                case 0x8b -> throw refuse("LONG4 (an integer of over 255 bytes) is not something a state dict holds");
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
                case 'X' -> push(text(length(Integer.toUnsignedLong(in.getInt()))));
                case 0x8c -> push(text(in.get() & 0xFF));
                case 0x8d -> push(text(length(in.getLong())));
                case 'B' -> push(bytes(length(Integer.toUnsignedLong(in.getInt()))));
                case 'C' -> push(bytes(in.get() & 0xFF));
                case 0x8e -> push(bytes(length(in.getLong())));
                case 'q' -> put(in.get() & 0xFF);
                case 'r' -> put(Integer.toUnsignedLong(in.getInt()));
                case 0x94 -> put(memo.size());
                case 'h' -> push(get(in.get() & 0xFF));
                case 'j' -> push(get(Integer.toUnsignedLong(in.getInt())));
                case 'c' -> push(global(line(), line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw refuse("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 'Q' -> push(persistentLoad(pop()));
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 'b' -> {
                    Object state = pop();
                    build(peek(), state);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), "SETITEM").put(hashable(key), value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> d = dict(peek(), "SETITEMS");
                    if (items.size() % 2 != 0) {
                        throw refuse("SETITEMS with an odd number of values");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        d.put(hashable(items.get(i)), items.get(i + 1));
                    }
                }
                case 'a' -> {
                    Object value = pop();
                    list(peek(), "APPEND").add(value);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek(), "APPENDS").addAll(items);
                }
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                default -> throw refuse("pickle opcode 0x" + Integer.toHexString(op) + " ('" + printable(op)
                        + "') is not allowed in a weights file");
            }
        }
    }

    // ------------------------------------------------------------------ globals and their fixed meanings

    private Object global(String module, String name) {
        String dotted = module + "." + name;
        boolean allowed = switch (dotted) {
            case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
                    "torch._utils._rebuild_parameter_with_state", "torch.Size" -> true;
            default -> ATTRIBUTE_DICTS.contains(dotted)
                    || (module.equals("torch") && DType.fromStorageClass(name).isPresent())
                    || (scriptObjects && isScriptClass(module, name));
        };
        if (!allowed) {
            throw refuse("the pickle names the global '" + dotted + "'" + python3Name(module, name) + ", which is not on JLightning's allow-list"
                    + " for weight files (a state dict needs only collections.OrderedDict,"
                    + " torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.Size and the"
                    + " torch.*Storage types); loading it would run code");
        }
        return new Global(module, name);
    }

    /** Protocol-2 pickles spell some Python 3 names the Python 2 way; say the name a reader knows. */
    private static String python3Name(String module, String name) {
        return switch (module) {
            case "__builtin__" -> " (builtins." + name + ")";
            case "posix", "nt" -> " (os." + name + ")";
            default -> "";
        };
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global g)) {
            throw refuse("REDUCE of " + describe(callable) + " (only allow-listed globals can be called)");
        }
        List<Object> a = tupleArgs(g, args);
        String dotted = g.toString();
        switch (dotted) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) {
                    throw refuse("collections.OrderedDict called with arguments");
                }
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (a.size() < 6 || a.size() > 7) {
                    throw refuse("_rebuild_tensor_v2 called with " + a.size() + " arguments");
                }
                if (!(a.get(0) instanceof StorageRef storage)) {
                    throw refuse("_rebuild_tensor_v2 called on " + describe(a.get(0)) + " instead of a storage");
                }
                return new PickledTensor(storage, integer(a.get(1), "storage_offset"), longs(a.get(2), "size"),
                        longs(a.get(3), "stride"), false);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.size() < 3 || !(a.get(0) instanceof PickledTensor t)) {
                    throw refuse(dotted + " called without a tensor");
                }
                return new PickledTensor(t.storage(), t.offset(), t.shape(), t.strides(), true);
            }
            case "torch.Size" -> {
                if (a.size() != 1 || !(a.get(0) instanceof List<?> dims)) {
                    throw refuse("torch.Size called without a tuple");
                }
                return Collections.unmodifiableList(new ArrayList<>(dims));
            }
            default -> {
                if (ATTRIBUTE_DICTS.contains(dotted) && a.isEmpty()) {
                    return new LinkedHashMap<Object, Object>();
                }
                throw refuse("REDUCE of '" + dotted + "', which may only appear " + (dotted.startsWith("torch.")
                        ? "inside a persistent id" : "as a dict"));
            }
        }
    }

    /** TorchScript's classes for a serialized module's attribute bag: {@code __torch__[.___torch_mangle_N].Module}. */
    private static boolean isScriptClass(String module, String name) {
        return name.equals("Module") && module.matches("__torch__(\\.___torch_mangle_[0-9]{1,9})?");
    }

    private Object newObject(Object cls, Object args) {
        if (cls instanceof Global g && ATTRIBUTE_DICTS.contains(g.toString()) && tupleArgs(g, args).isEmpty()) {
            return new LinkedHashMap<Object, Object>();
        }
        if (scriptObjects && cls instanceof Global g && isScriptClass(g.module(), g.name())
                && tupleArgs(g, args).isEmpty()) {
            Map<Object, Object> object = new LinkedHashMap<>();
            objects.add(object);
            return object;
        }
        throw refuse("NEWOBJ of " + describe(cls) + " (only Lightning's AttributeDict may be created)");
    }

    private void build(Object target, Object state) {
        // OrderedDict's __reduce__ carries its instance __dict__ (state_dict()._metadata, the per-module version
        // numbers); AttributeDict's too. Neither changes the mapping, so the state is checked and dropped.
        if (objects.contains(target)) {
            // a TorchScript object's state is its attributes, which hold the tensors to check: kept, once
            if (!(state instanceof Map<?, ?> attributes) || !((Map<?, ?>) target).isEmpty()) {
                throw refuse("BUILD of a TorchScript object with " + describe(state) + " or twice");
            }
            dict(target, "BUILD").putAll(attributes);
            return;
        }
        if (target instanceof Map && (state == null || state instanceof Map)) {
            return;
        }
        throw refuse("BUILD on " + describe(target) + " (only dicts accept their attribute state)");
    }

    private Object persistentLoad(Object pid) {
        if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw refuse("a persistent id " + describe(pid) + " that is not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof Global g) || !g.module().equals("torch")
                || DType.fromStorageClass(g.name()).isEmpty()) {
            throw refuse("a persistent id whose storage type is " + describe(t.get(1)));
        }
        if (!(t.get(2) instanceof String key) || !key.matches("[A-Za-z0-9_]{1,64}")) {
            throw refuse("a persistent id whose storage key is " + describe(t.get(2)));
        }
        String location = t.get(3) instanceof String s ? s : "";
        long numel = integer(t.get(4), "storage numel");
        if (numel < 0) {
            throw refuse("storage '" + key + "' has " + numel + " elements");
        }
        return new StorageRef(DType.fromStorageClass(g.name()).orElseThrow(), key, location, numel);
    }

    // ------------------------------------------------------------------ stack and memo

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw refuse("the pickle's stack grows past " + MAX_STACK + " values");
        }
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw refuse("an instruction pops an empty stack");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw refuse("an instruction consumes a MARK");
        }
        return o;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw refuse("an instruction needs a value on an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw refuse("an instruction needs a MARK and there is none");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at + 1, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    private void put(long index) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw refuse("the pickle's memo grows past " + MAX_MEMO + " entries");
        }
        memo.put(index, peek());
    }

    private Object get(long index) {
        if (!memo.containsKey(index)) {
            throw refuse("memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    // ------------------------------------------------------------------ literals

    private int length(long n) {
        if (n > in.remaining()) {
            throw refuse("a string or bytes length of " + n + " runs past the pickle's end");
        }
        return (int) n;
    }

    private String text(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() > 256) {
                throw refuse("a GLOBAL name longer than 256 characters");
            }
            sb.append((char) (b & 0xFF));
        }
    }

    private Object long1(int n) {
        byte[] le = new byte[length(n)];
        in.get(le);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        if (v.bitLength() > 63) {
            throw refuse("an integer " + v + " outside the 64-bit range");
        }
        return v.longValue();
    }

    // ------------------------------------------------------------------ helpers

    private static List<Object> tuple(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        Collections.addAll(l, items);
        return Collections.unmodifiableList(l);
    }

    private List<Object> tupleArgs(Global g, Object args) {
        if (!(args instanceof List<?> l)) {
            throw refuse(g + " called with " + describe(args) + " instead of an argument tuple");
        }
        return new ArrayList<>(l);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw refuse(op + " on " + describe(o) + ", which is not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw refuse(op + " on " + describe(o) + ", which is not a list");
    }

    private Object hashable(Object key) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof Boolean
                || key instanceof Double) {
            return key;
        }
        throw refuse("a dict key " + describe(key) + " (keys must be strings, numbers, booleans or None)");
    }

    private long integer(Object o, String what) {
        if (o instanceof Long l) {
            return l;
        }
        throw refuse(what + " is " + describe(o) + ", not an integer");
    }

    private long[] longs(Object o, String what) {
        if (!(o instanceof List<?> l) || l.size() > 64) {
            throw refuse(what + " is " + describe(o) + ", not a tuple of integers");
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(l.get(i), what + "[" + i + "]");
        }
        return out;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return "'" + g + "'";
        }
        if (o instanceof String s) {
            return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        }
        if (o instanceof Map) {
            return "a dict";
        }
        if (o instanceof List) {
            return "a list or tuple";
        }
        return "a " + o.getClass().getSimpleName();
    }

    private static String printable(int op) {
        return op >= 0x20 && op < 0x7f ? String.valueOf((char) op) : "\\x" + Integer.toHexString(op);
    }

    // ------------------------------------------------------------------ the result's shape

    /** Refuses cycles, deep nesting and DAGs that expand past {@link #MAX_NODES} nodes; iterative, no recursion. */
    private static void checkShape(String source, Object root) {
        record Frame(Object node, java.util.Iterator<?> children, int depth) {
        }
        Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Frame> frames = new ArrayList<>();
        long visited = 0;
        Object start = root;
        if (start instanceof Map || start instanceof List) {
            frames.add(new Frame(start, children(start), 1));
            onPath.add(start);
        }
        while (!frames.isEmpty()) {
            Frame top = frames.get(frames.size() - 1);
            if (!top.children().hasNext()) {
                frames.remove(frames.size() - 1);
                onPath.remove(top.node());
                continue;
            }
            Object child = top.children().next();
            if (++visited > MAX_NODES) {
                throw new WeightsFileException(source + " is refused: its pickle expands to more than " + MAX_NODES
                        + " values through shared references (a 'billion laughs' pickle)");
            }
            if (child instanceof Map || child instanceof List) {
                if (onPath.contains(child)) {
                    throw new WeightsFileException(source + " is refused: its pickle holds a container that contains"
                            + " itself (a reference loop)");
                }
                if (top.depth() + 1 > MAX_DEPTH) {
                    throw new WeightsFileException(source + " is refused: its pickle nests containers more than "
                            + MAX_DEPTH + " deep");
                }
                onPath.add(child);
                frames.add(new Frame(child, children(child), top.depth() + 1));
            }
        }
    }

    private static java.util.Iterator<?> children(Object o) {
        if (o instanceof Map<?, ?> m) {
            return m.values().iterator();
        }
        return ((List<?>) o).iterator();
    }
}
