package dev.jlightning.io;

import dev.jlightning.io.RestrictedUnpickler.PickledTensor;
import dev.jlightning.io.RestrictedUnpickler.StorageRef;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.pytorch.Tensor;

/**
 * Reads and writes the zip files {@code torch.save} produces (PyTorch 1.6 and later): {@code <name>/data.pkl} (the
 * pickled object), {@code <name>/data/<key>} (one entry per storage, raw little-endian bytes),
 * {@code <name>/version} and {@code <name>/byteorder}.
 *
 * <p>Counterpart of {@code torch.serialization._load} / {@code _save}. Reading goes through
 * {@link RestrictedUnpickler}; each storage entry is memory-mapped and every tensor's view checked against it. Writing
 * emits the protocol-2 pickle {@code torch.save} emits, naming only the globals {@code torch.load(weights_only=True)}
 * accepts, and aligns every storage's bytes to 64 bytes as PyTorch does (so {@code torch.load(mmap=True)} works).
 */
final class TorchZip {

    private static final long MAX_PICKLE = 1L << 30;
    private static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model_state_dict", "model", "module");

    private TorchZip() {
    }

    static boolean sniff(ByteBuffer head) {
        return head.remaining() >= 4 && head.getInt(0) == 0x04034b50;
    }

    static StateDictFile read(MappedFile file, Optional<String> stateDictKey) {
        Path path = file.path();
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(file);
        ZipDirectory.Entry pkl = null;
        for (ZipDirectory.Entry e : entries.values()) {
            if (e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9) {
                pkl = e;
                break;
            }
        }
        if (pkl == null) {
            throw new WeightsFileException(path + " is a zip file but not one torch.save wrote: it has no"
                    + " <archive>/data.pkl" + (entries.keySet().stream().anyMatch(n -> n.endsWith(".py"))
                            ? " (it looks like a TorchScript archive; weights files carry no code)" : ""));
        }
        String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipDirectory.Entry order = entries.get(prefix + "byteorder");
        if (order != null) {
            String text = new String(bytes(file, order), StandardCharsets.US_ASCII).trim();
            if (!text.equals("little")) {
                throw new WeightsFileException(path + " stores its tensors in '" + text + "' byte order;"
                        + " JLightning reads little-endian files");
            }
        }
        if (pkl.size() > MAX_PICKLE) {
            throw new WeightsFileException(path + ": data.pkl is " + pkl.size() + " bytes");
        }
        Object root = RestrictedUnpickler.load(path.toString(), bytes(file, pkl));
        if (!(root instanceof Map<?, ?> top)) {
            throw new WeightsFileException(path + " holds a pickled " + (root == null ? "None"
                    : root instanceof List ? "list" : root.getClass().getSimpleName())
                    + ", not a state dict or a dict holding one");
        }
        Storages storages = new Storages(file, entries, prefix);
        String dictKey = chooseStateDict(path, top, stateDictKey);
        Map<?, ?> stateDict = dictKey.isEmpty() ? top : (Map<?, ?>) top.get(dictKey);
        LinkedHashMap<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : stateDict.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof PickledTensor t)) {
                throw new WeightsFileException(path + ": state_dict entry '" + key + "' is not a tensor");
            }
            tensors.put(key, storages.tensor(key, t));
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        if (!dictKey.isEmpty()) {
            Map<Object, Object> converted = new IdentityHashMap<>();
            for (Map.Entry<?, ?> e : top.entrySet()) {
                if (!dictKey.equals(e.getKey())) {
                    String key = String.valueOf(e.getKey());
                    extras.put(key, storages.convert(key, e.getValue(), converted));
                }
            }
        }
        boolean lightning = dictKey.equals("state_dict")
                && (top.containsKey("pytorch-lightning_version") || top.containsKey("global_step"));
        return new StateDictFile(path, lightning ? WeightsFormat.LIGHTNING_CHECKPOINT : WeightsFormat.TORCH_STATE_DICT,
                tensors, extras, Map.of());
    }

    /** The key of the state dict inside the top-level dict, or "" when the top-level dict is the state dict. */
    private static String chooseStateDict(Path path, Map<?, ?> top, Optional<String> requested) {
        if (requested.isPresent()) {
            Object v = top.get(requested.get());
            if (!isTensorMap(v)) {
                throw new WeightsFileException(path + " has no state dict under '" + requested.get() + "'; its keys: "
                        + top.keySet());
            }
            return requested.get();
        }
        if (isTensorMap(top)) {
            return "";
        }
        for (String k : STATE_DICT_KEYS) {
            if (isTensorMap(top.get(k))) {
                return k;
            }
        }
        throw new WeightsFileException(path + " holds a dict with keys " + top.keySet() + " and none of "
                + STATE_DICT_KEYS + " maps names to tensors; name the key with LoadOptions.stateDictKey");
    }

    private static boolean isTensorMap(Object o) {
        if (!(o instanceof Map<?, ?> m)) {
            return false;
        }
        for (Object v : m.values()) {
            if (!(v instanceof PickledTensor)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(MappedFile file, ZipDirectory.Entry e) {
        if (e.method() != 0 || e.compressedSize() != e.size() || e.size() > Integer.MAX_VALUE - 16) {
            throw new WeightsFileException(file.path() + ": zip entry '" + e.name() + "' is compressed or too large"
                    + " (torch.save stores entries uncompressed)");
        }
        ByteBuffer b = file.read(e.dataAt(), (int) e.size(), "zip entry '" + e.name() + "'");
        CRC32 crc = new CRC32();
        crc.update(b.duplicate());
        if (crc.getValue() != e.crc()) {
            throw new WeightsFileException(file.path() + ": zip entry '" + e.name() + "' fails its CRC-32");
        }
        return b.array();
    }

    /** Maps each storage entry once; shared storages (tied weights, views) therefore share one mapping. */
    private static final class Storages {
        private final MappedFile file;
        private final Map<String, ZipDirectory.Entry> entries;
        private final String prefix;
        private final StorageChecks checks;
        private final Map<String, ByteBuffer> mapped = new HashMap<>();

        Storages(MappedFile file, Map<String, ZipDirectory.Entry> entries, String prefix) {
            this.file = file;
            this.entries = entries;
            this.prefix = prefix;
            this.checks = new StorageChecks(file.path().toString(), prefix + "data/", name -> {
                ZipDirectory.Entry e = entries.get(name);
                return e == null ? OptionalLong.empty() : OptionalLong.of(e.size());
            });
        }

        StoredTensor tensor(String key, PickledTensor t) {
            long needed = checks.check(key, t);
            StorageRef s = t.storage();
            ByteBuffer storage = mapped.computeIfAbsent(s.key(), k -> map(s, needed));
            return new StoredTensor(key, s.dtype(), t.shape(), t.strides(), t.offset(), prefix + "data/" + s.key(),
                    storage);
        }

        private ByteBuffer map(StorageRef s, long needed) {
            String name = prefix + "data/" + s.key();
            ZipDirectory.Entry e = entries.get(name);
            if (e.method() != 0 || e.compressedSize() != e.size()) {
                throw new WeightsFileException(file.path() + ": storage entry " + name + " is compressed");
            }
            return file.map(e.dataAt(), needed, "storage entry " + name).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Plain data with every tensor turned into a checked {@link StoredTensor}; shared values stay shared. */
        Object convert(String where, Object value, Map<Object, Object> done) {
            if (value instanceof PickledTensor t) {
                return tensor(where, t);
            }
            if (value instanceof Map<?, ?> || value instanceof List<?>) {
                Object seen = done.get(value);
                if (seen != null) {
                    return seen;
                }
            }
            if (value instanceof Map<?, ?> m) {
                Map<Object, Object> out = new LinkedHashMap<>();
                done.put(value, out);
                m.forEach((k, v) -> out.put(k, convert(where + "." + k, v, done)));
                return out;
            }
            if (value instanceof List<?> l) {
                List<Object> out = new ArrayList<>(l.size());
                done.put(value, out);
                for (int i = 0; i < l.size(); i++) {
                    out.add(convert(where + "[" + i + "]", l.get(i), done));
                }
                return out;
            }
            return value;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code torch.save(obj)} where obj is the state dict as an {@code OrderedDict}, or, when
     * {@code checkpoint} is given, a plain dict holding the state dict under {@code "state_dict"} followed by the
     * checkpoint's entries (plain data: numbers, strings, booleans, null, lists, maps).
     */
    static void write(Path path, Map<String, Tensor> stateDict, Optional<Map<String, Object>> checkpoint) {
        PickleWriter pickle = new PickleWriter();
        List<Tensor> storages = pickle.stateDictWithStorages(stateDict, checkpoint);
        byte[] pkl = pickle.toByteArray();
        String archive = "archive/";
        AtomicFiles.write(path, channel -> {
            CountingStream counting = new CountingStream(new BufferedOutputStream(Channels.newOutputStream(channel),
                    1 << 20));
            // not closed: closing the zip stream would close the channel before AtomicFiles forces it to disk
            ZipOutputStream zip = new ZipOutputStream(counting);
            stored(zip, counting, archive + "data.pkl", pkl);
            stored(zip, counting, archive + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < storages.size(); i++) {
                stored(zip, counting, archive + "data/" + i, TensorBytes.toArray("storage " + i, storages.get(i)));
            }
            stored(zip, counting, archive + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
            counting.flush();
        });
    }

    private static void stored(ZipOutputStream zip, CountingStream counting, String name, byte[] data)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L + 86400000L); // a fixed DOS time keeps the file's bytes reproducible
        // Pad the local header with an extra field so the data starts on a 64-byte boundary, as torch.save does.
        long headerEnd = counting.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int pad = (int) ((64 - headerEnd % 64) % 64);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = 0;
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Counts bytes written, so that the next local header's position is known for alignment. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
