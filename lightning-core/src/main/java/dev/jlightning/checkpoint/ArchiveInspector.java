package dev.jlightning.checkpoint;

import dev.jlightning.io.RestrictedUnpickler;
import dev.jlightning.io.RestrictedUnpickler.PickledTensor;
import dev.jlightning.io.StorageChecks;
import dev.jlightning.io.WeightsFileException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Checks, in Java, that a checkpoint's tensor archive is what JLightning's writer produces before LibTorch reads it.
 *
 * <p>LibTorch's archive is a TorchScript zip: tensors, pickled data and {@code code/*.py} files that LibTorch
 * compiles when it opens the archive. The archives JLightning writes hold only attribute declarations there. This
 * inspector walks the zip's central directory with bounds checks on every offset, checks every entry's CRC-32, reads
 * every code file to make sure it declares attributes and nothing else, and unpickles {@code data.pkl} in Java to
 * check every tensor against its storage record ({@link StorageChecks}): a crafted file cannot bring TorchScript
 * methods that LibTorch would compile and call, zip structures that send LibTorch's reader out of bounds, nor tensor
 * views that make LibTorch's copy kernels read past a storage.
 */
final class ArchiveInspector {

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int MAX_ENTRIES = 1 << 20;
    private static final int MAX_CODE_BYTES = 1 << 20;
    private static final int MAX_PICKLE_BYTES = 1 << 30;

    private static final String TYPE = "[A-Za-z_][A-Za-z0-9_.]*(\\[[A-Za-z0-9_., \\[\\]]*\\])?";
    private static final String QUOTED = "\"[^\"\\\\\\n]*\"";
    private static final Pattern DECLARATION = Pattern.compile(String.join("|",
            "class Module\\(Module\\):",
            "  __parameters__ = \\[( ?" + QUOTED + ",)* ?\\]",
            "  __buffers__ = \\[( ?" + QUOTED + ",)* ?\\]",
            "  __annotations__ = \\[\\]",
            "  __annotations__\\[" + QUOTED + "\\] = " + TYPE,
            "  [A-Za-z_][A-Za-z0-9_]* : " + TYPE,
            ""));

    private ArchiveInspector() {
    }

    /** One zip entry, its data located and its CRC checked. */
    private record Entry(String name, int dataAt, long compressed, long size, int method) {
    }

    /**
     * What the inspection learnt: the archive's {@code data.pkl} as Java data (tensors as {@link PickledTensor}s)
     * and the contents of its small storages (the {@code params/size} counters of LibTorch's optimizer archives),
     * for later checks.
     */
    record Contents(Object data, Map<String, byte[]> scalars) {
        /** The value of a one-element int64 tensor, if {@code t} is one. */
        java.util.OptionalLong longValue(Object t) {
            if (t instanceof PickledTensor p && p.storage().dtype() == dev.jlightning.io.DType.I64
                    && p.shape().length == 0 && scalars.get(p.storage().key()) != null) {
                ByteBuffer b = ByteBuffer.wrap(scalars.get(p.storage().key())).order(ByteOrder.LITTLE_ENDIAN);
                long at = p.offset() * 8;
                if (at >= 0 && at + 8 <= b.capacity()) {
                    return java.util.OptionalLong.of(b.getLong((int) at));
                }
            }
            return java.util.OptionalLong.empty();
        }
    }

    static Contents check(String source, byte[] archive) {
        ByteBuffer zip = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Entry> entries;
        try {
            entries = inspect(source, zip);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw malformed(source, "a zip structure points outside the archive");
        }
        Object data = checkTensors(source, zip, entries);
        Map<String, byte[]> scalars = new HashMap<>();
        for (Entry e : entries.values()) {
            if (e.name().startsWith("archive/data/") && e.method() == 0 && e.size() <= 64) {
                byte[] b = new byte[(int) e.size()];
                zip.get(e.dataAt(), b);
                scalars.put(e.name().substring("archive/data/".length()), b);
            }
        }
        return new Contents(data, scalars);
    }

    /**
     * Unpickles {@code data.pkl} in Java and checks every tensor it rebuilds against its storage record: LibTorch's
     * unpickler calls {@code set_} with the pickle's sizes, strides and offset and never compares them with the
     * record's length, so a crafted pickle or a shortened record would make its copy kernel read past the storage.
     */
    private static Object checkTensors(String source, ByteBuffer zip, Map<String, Entry> entries) {
        Entry data = entries.get("archive/data.pkl");
        if (data == null) {
            throw malformed(source, "it has no archive/data.pkl");
        }
        try {
            Object root = RestrictedUnpickler.loadTorchScriptData(source, contents(source, zip, data));
            new StorageChecks(source, "archive/data/", name -> {
                Entry e = entries.get(name);
                return e == null || e.method() != 0 ? OptionalLong.empty() : OptionalLong.of(e.size());
            }).checkAll(root);
            Entry constants = entries.get("archive/constants.pkl");
            if (constants != null) {
                Object c = RestrictedUnpickler.loadTorchScriptData(source, contents(source, zip, constants));
                // JLightning's archives hold no constants; LibTorch would read tensors there from archive/constants/
                int tensors = new StorageChecks(source, "archive/constants/", name -> OptionalLong.empty()).checkAll(c);
                if (tensors != 0) {
                    throw malformed(source, "its constants.pkl holds tensors");
                }
            }
            return root;
        } catch (WeightsFileException e) {
            throw new CheckpointException(source + " is corrupted: its tensor archive does not describe its tensors"
                    + " consistently (" + e.getMessage().replace(source + " is refused: ", "")
                            .replace(source + ": ", "") + ")", e);
        }
    }

    private static Map<String, Entry> inspect(String source, ByteBuffer zip) {
        Map<String, Entry> found = new HashMap<>();
        int eocd = findEndOfCentralDirectory(zip);
        if (eocd < 0) {
            throw malformed(source, "no zip end-of-central-directory record");
        }
        long entries = Short.toUnsignedInt(zip.getShort(eocd + 10));
        long cdOffset = Integer.toUnsignedLong(zip.getInt(eocd + 16));
        if (eocd >= 20 && zip.getInt(eocd - 20) == ZIP64_LOCATOR) {
            long z64 = zip.getLong(eocd - 20 + 8);
            int at = checkedIndex(zip, z64, 56);
            if (zip.getInt(at) != ZIP64_EOCD) {
                throw malformed(source, "the zip64 end-of-central-directory record is missing");
            }
            entries = zip.getLong(at + 32);
            cdOffset = zip.getLong(at + 48);
        }
        if (entries < 1 || entries > MAX_ENTRIES) {
            throw malformed(source, "it lists " + entries + " entries");
        }
        int p = checkedIndex(zip, cdOffset, 46);
        for (long i = 0; i < entries; i++) {
            checkedIndex(zip, p, 46);
            if (zip.getInt(p) != CENTRAL) {
                throw malformed(source, "central directory entry " + i + " has no signature");
            }
            int method = Short.toUnsignedInt(zip.getShort(p + 10));
            long crc = Integer.toUnsignedLong(zip.getInt(p + 16));
            long compressed = Integer.toUnsignedLong(zip.getInt(p + 20));
            long size = Integer.toUnsignedLong(zip.getInt(p + 24));
            int nameLength = Short.toUnsignedInt(zip.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(zip.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(zip.getShort(p + 32));
            long localOffset = Integer.toUnsignedLong(zip.getInt(p + 42));
            String name = string(zip, checkedIndex(zip, p + 46L, nameLength), nameLength);
            int extra = checkedIndex(zip, p + 46L + nameLength, extraLength);
            // zip64 sizes live in extra field 0x0001, holding only the fields that are saturated above
            for (int e = extra; e + 4 <= extra + extraLength; ) {
                int id = Short.toUnsignedInt(zip.getShort(e));
                int len = Short.toUnsignedInt(zip.getShort(e + 2));
                if (id == 1) {
                    int q = e + 4;
                    if (size == 0xFFFFFFFFL) {
                        size = zip.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xFFFFFFFFL) {
                        compressed = zip.getLong(q);
                        q += 8;
                    }
                    if (localOffset == 0xFFFFFFFFL) {
                        localOffset = zip.getLong(q);
                    }
                }
                e += 4 + len;
            }
            checkName(source, name);
            int local = checkedIndex(zip, localOffset, 30);
            if (zip.getInt(local) != LOCAL) {
                throw malformed(source, "entry " + name + " has no local header");
            }
            int dataAt = local + 30 + Short.toUnsignedInt(zip.getShort(local + 26))
                    + Short.toUnsignedInt(zip.getShort(local + 28));
            checkedIndex(zip, dataAt, compressed);
            if (method != 0 && method != 8) {
                throw malformed(source, "entry " + name + " uses zip compression method " + method);
            }
            if (name.endsWith(".py")) {
                checkCode(source, name, zip, dataAt, (int) compressed, size, method, crc);
            } else {
                checkCrc(source, name, zip, dataAt, compressed, size, method, crc);
            }
            if (found.put(name, new Entry(name, dataAt, compressed, size, method)) != null) {
                throw malformed(source, "entry " + name + " appears twice");
            }
            p += 46 + nameLength + extraLength + commentLength;
        }
        return found;
    }

    /** Every entry's CRC-32, as zip readers that check them would: a changed byte with a stale CRC is refused. */
    private static void checkCrc(String source, String name, ByteBuffer zip, int at, long compressed, long size,
            int method, long crc) {
        CRC32 check = new CRC32();
        if (method == 0) {
            if (compressed != size) {
                throw malformed(source, "stored entry " + name + " has two sizes");
            }
            check.update(zip.slice(at, (int) size));
        } else {
            Inflater inflater = new Inflater(true);
            try {
                byte[] raw = new byte[(int) compressed];
                zip.get(at, raw);
                inflater.setInput(raw);
                byte[] chunk = new byte[1 << 16];
                long total = 0;
                while (!inflater.finished()) {
                    int n = inflater.inflate(chunk);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    total += n;
                    if (total > size) {
                        break;
                    }
                    check.update(chunk, 0, n);
                }
                if (total != size) {
                    throw malformed(source, "entry " + name + " does not inflate to its declared size");
                }
            } catch (DataFormatException e) {
                throw malformed(source, "entry " + name + " does not inflate: " + e.getMessage());
            } finally {
                inflater.end();
            }
        }
        if (check.getValue() != crc) {
            throw malformed(source, "entry " + name + " fails its CRC-32 (it was changed after it was written)");
        }
    }

    private static byte[] contents(String source, ByteBuffer zip, Entry e) {
        if (e.method() != 0 || e.size() > MAX_PICKLE_BYTES) {
            throw malformed(source, "entry " + e.name() + " is compressed or " + e.size() + " bytes");
        }
        byte[] b = new byte[(int) e.size()];
        zip.get(e.dataAt(), b);
        return b;
    }

    private static void checkName(String source, String name) {
        if (!name.startsWith("archive/") || name.contains("..") || name.contains("\\") || name.contains("//")) {
            throw malformed(source, "it contains an unexpected entry '" + name + "'");
        }
    }

    private static void checkCode(String source, String name, ByteBuffer zip, int at, int compressed, long size,
            int method, long crc) {
        if (size > MAX_CODE_BYTES) {
            throw malformed(source, "code entry " + name + " is " + size + " bytes");
        }
        byte[] raw = new byte[compressed];
        zip.get(at, raw);
        byte[] text;
        if (method == 8) {
            text = new byte[(int) size];
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(raw);
                int n = inflater.inflate(text);
                if (n != size) {
                    throw malformed(source, "code entry " + name + " does not inflate to its declared size");
                }
            } catch (DataFormatException e) {
                throw malformed(source, "code entry " + name + " does not inflate: " + e.getMessage());
            } finally {
                inflater.end();
            }
        } else {
            if (compressed != size) {
                throw malformed(source, "stored code entry " + name + " has two sizes");
            }
            text = raw;
        }
        CRC32 check = new CRC32();
        check.update(text);
        if (check.getValue() != crc) {
            throw malformed(source, "code entry " + name + " fails its CRC");
        }
        String code = new String(text, StandardCharsets.UTF_8);
        for (String line : code.split("\n", -1)) {
            if (!DECLARATION.matcher(line).matches()) {
                throw new CheckpointException(source + " is refused: its tensor archive carries TorchScript code ("
                        + name + ": \"" + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "\"),"
                        + " and JLightning only loads archives that declare tensors and values");
            }
        }
    }

    private static int findEndOfCentralDirectory(ByteBuffer zip) {
        int limit = Math.max(0, zip.capacity() - 22 - 0xFFFF);
        for (int i = zip.capacity() - 22; i >= limit; i--) {
            if (zip.getInt(i) == EOCD) {
                return i;
            }
        }
        return -1;
    }

    private static int checkedIndex(ByteBuffer zip, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > zip.capacity()) {
            throw new IndexOutOfBoundsException();
        }
        return (int) offset;
    }

    private static String string(ByteBuffer zip, int at, int length) {
        byte[] b = new byte[length];
        zip.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static CheckpointException malformed(String source, String what) {
        return new CheckpointException(source + " is corrupted: its tensor archive is not a well-formed LibTorch"
                + " archive (" + what + ")");
    }
}
