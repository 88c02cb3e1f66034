package dev.jlightning.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file, read with a bounds check on every offset and size: the entries' names and
 * where each entry's bytes lie. Only stored (uncompressed) entries can be mapped; {@code torch.save} writes nothing
 * else.
 */
final class ZipDirectory {

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int MAX_ENTRIES = 1 << 20;
    private static final long MAX_DIRECTORY = 256L << 20;

    /** One entry: its data's position in the file, sizes and compression method. */
    record Entry(String name, int method, long dataAt, long compressedSize, long size, long crc) {
    }

    private ZipDirectory() {
    }

    static Map<String, Entry> read(MappedFile file) {
        long size = file.size();
        int tail = (int) Math.min(size, 22 + 0xFFFF);
        ByteBuffer end = file.read(size - tail, tail, "the zip end record");
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw malformed(file, "no end-of-central-directory record");
        }
        long entries = Short.toUnsignedInt(end.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(end.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
        if (eocd >= 20 && end.getInt(eocd - 20) == ZIP64_LOCATOR) {
            long at = end.getLong(eocd - 20 + 8);
            ByteBuffer z64 = file.read(at, 56, "the zip64 end record");
            if (z64.getInt(0) != ZIP64_EOCD) {
                throw malformed(file, "the zip64 end-of-central-directory record is missing");
            }
            entries = z64.getLong(32);
            cdSize = z64.getLong(40);
            cdOffset = z64.getLong(48);
        }
        if (entries < 1 || entries > MAX_ENTRIES || cdSize > MAX_DIRECTORY) {
            throw malformed(file, "it lists " + entries + " entries in a directory of " + cdSize + " bytes");
        }
        ByteBuffer cd = file.read(cdOffset, (int) cdSize, "the zip central directory");
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        try {
            for (long i = 0; i < entries; i++) {
                if (cd.getInt(p) != CENTRAL) {
                    throw malformed(file, "central directory entry " + i + " has no signature");
                }
                int method = Short.toUnsignedInt(cd.getShort(p + 10));
                long crc = Integer.toUnsignedLong(cd.getInt(p + 16));
                long compressed = Integer.toUnsignedLong(cd.getInt(p + 20));
                long length = Integer.toUnsignedLong(cd.getInt(p + 24));
                int nameLength = Short.toUnsignedInt(cd.getShort(p + 28));
                int extraLength = Short.toUnsignedInt(cd.getShort(p + 30));
                int commentLength = Short.toUnsignedInt(cd.getShort(p + 32));
                long localOffset = Integer.toUnsignedLong(cd.getInt(p + 42));
                byte[] nameBytes = new byte[nameLength];
                cd.get(p + 46, nameBytes);
                String name = new String(nameBytes, StandardCharsets.UTF_8);
                int extra = p + 46 + nameLength;
                // zip64 sizes live in extra field 0x0001, holding only the fields saturated above, in this order
                for (int e = extra; e + 4 <= extra + extraLength; ) {
                    int id = Short.toUnsignedInt(cd.getShort(e));
                    int len = Short.toUnsignedInt(cd.getShort(e + 2));
                    if (id == 1) {
                        int q = e + 4;
                        if (length == 0xFFFFFFFFL) {
                            length = cd.getLong(q);
                            q += 8;
                        }
                        if (compressed == 0xFFFFFFFFL) {
                            compressed = cd.getLong(q);
                            q += 8;
                        }
                        if (localOffset == 0xFFFFFFFFL) {
                            localOffset = cd.getLong(q);
                        }
                    }
                    e += 4 + len;
                }
                ByteBuffer local = file.read(localOffset, 30, "the local header of '" + name + "'");
                if (local.getInt(0) != LOCAL) {
                    throw malformed(file, "entry '" + name + "' has no local header");
                }
                long dataAt = localOffset + 30 + Short.toUnsignedInt(local.getShort(26))
                        + Short.toUnsignedInt(local.getShort(28));
                file.requireInside(dataAt, compressed, "zip entry '" + name + "'");
                if (out.put(name, new Entry(name, method, dataAt, compressed, length, crc)) != null) {
                    throw malformed(file, "entry '" + name + "' appears twice");
                }
                p += 46 + nameLength + extraLength + commentLength;
            }
        } catch (IndexOutOfBoundsException e) {
            throw malformed(file, "a central directory entry runs past the directory's end");
        }
        return out;
    }

    static WeightsFileException malformed(MappedFile file, String what) {
        return new WeightsFileException(file.path() + " is not a well-formed zip archive: " + what);
    }
}
