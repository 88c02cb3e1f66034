package dev.jlightning.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Takes a checkpoint apart and puts a modified one together with every checksum recomputed (the zip's CRC-32s and
 * the container's CRC-32C), as an adversary who knows the format would: such files pass every integrity check, so
 * only the semantic checks stand between them and LibTorch.
 */
final class CheckpointSurgery {

    private CheckpointSurgery() {
    }

    /** The JSON part of a checkpoint file, mutable. */
    static Map<String, Object> json(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        int length = (int) b.getLong(12);
        try {
            return new LinkedHashMap<>(CheckpointJson.read(file, CheckpointFormat.HEADER_SIZE, length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensor archive of a checkpoint file. */
    static byte[] archive(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        int json = (int) b.getLong(12);
        int archive = (int) b.getLong(20);
        byte[] out = new byte[archive];
        System.arraycopy(file, CheckpointFormat.HEADER_SIZE + json, out, 0, archive);
        return out;
    }

    /** The archive's entries by name, in order, read through its central directory; inflated entries inflated. */
    static LinkedHashMap<String, byte[]> entries(byte[] archive) {
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        ByteBuffer zip = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = archive.length - 22;
        while (zip.getInt(eocd) != 0x06054b50) {
            eocd--;
        }
        int entries = Short.toUnsignedInt(zip.getShort(eocd + 10));
        int p = zip.getInt(eocd + 16);
        for (int i = 0; i < entries; i++) {
            int method = Short.toUnsignedInt(zip.getShort(p + 10));
            int compressed = zip.getInt(p + 20);
            int size = zip.getInt(p + 24);
            int nameLength = Short.toUnsignedInt(zip.getShort(p + 28));
            int extraLength = Short.toUnsignedInt(zip.getShort(p + 30));
            int commentLength = Short.toUnsignedInt(zip.getShort(p + 32));
            int local = zip.getInt(p + 42);
            String name = new String(archive, p + 46, nameLength, StandardCharsets.UTF_8);
            int dataAt = local + 30 + Short.toUnsignedInt(zip.getShort(local + 26))
                    + Short.toUnsignedInt(zip.getShort(local + 28));
            byte[] data = new byte[size];
            if (method == 0) {
                System.arraycopy(archive, dataAt, data, 0, size);
            } else {
                java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
                inflater.setInput(archive, dataAt, compressed);
                try {
                    inflater.inflate(data);
                } catch (java.util.zip.DataFormatException e) {
                    throw new IllegalStateException(e);
                } finally {
                    inflater.end();
                }
            }
            out.put(name, data);
            p += 46 + nameLength + extraLength + commentLength;
        }
        return out;
    }

    /** A zip of stored entries with correct CRCs, each entry's data aligned to 64 bytes as LibTorch writes it. */
    static byte[] zip(Map<String, byte[]> entries) {
        return zip(entries, Map.of());
    }

    /**
     * As {@link #zip(Map)}, but the entries named in {@code staleCrc} keep the CRC of the given original contents:
     * a changed entry whose CRC was not updated.
     */
    static byte[] zip(Map<String, byte[]> entries, Map<String, byte[]> staleCrc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        int count = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            CRC32 crc = new CRC32();
            crc.update(staleCrc.getOrDefault(e.getKey(), data));
            int local = out.size();
            int headerEnd = local + 30 + name.length + 4;
            int pad = (64 - headerEnd % 64) % 64;
            ByteBuffer h = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0x21).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
                    .putShort((short) name.length).putShort((short) (4 + pad));
            out.writeBytes(h.array());
            out.writeBytes(name);
            out.writeBytes(new byte[] {'F', 'B', (byte) pad, 0});
            out.writeBytes(new byte[pad]);
            out.writeBytes(data);
            ByteBuffer c = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue()).putInt(data.length)
                    .putInt(data.length).putShort((short) name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(local);
            central.writeBytes(c.array());
            central.writeBytes(name);
            count++;
        }
        int cdAt = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count)
                .putShort((short) count).putInt(central.size()).putInt(cdAt).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /** A whole checkpoint file from a JSON text and an archive, with a correct CRC-32C. */
    static byte[] container(byte[] json, byte[] archive) {
        ByteBuffer b = ByteBuffer.allocate(CheckpointFormat.HEADER_SIZE + json.length + archive.length
                + CheckpointFormat.TRAILER_SIZE);
        b.put(CheckpointFormat.SIGNATURE).putInt(CheckpointFormat.VERSION).putLong(json.length)
                .putLong(archive.length).put(json).put(archive);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).put(CheckpointFormat.END_MARKER);
        return b.array();
    }

    /**
     * The JSON text of {@code json}, where every string value {@code "@raw:<text>"} becomes the bare JSON token
     * {@code <text>} (for numbers Jackson would not write, such as {@code 1e999}).
     */
    static byte[] jsonText(Map<String, Object> json) {
        String text = new String(CheckpointJson.write(json), StandardCharsets.UTF_8);
        return text.replaceAll("\"@raw:([^\"]*)\"", "$1").getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces the first occurrence of {@code from} in {@code bytes}; fails if there is none. */
    static byte[] replaceFirst(byte[] bytes, byte[] from, byte[] to) {
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, i);
                out.writeBytes(to);
                out.write(bytes, i + from.length, bytes.length - i - from.length);
                return out.toByteArray();
            }
        }
        throw new IllegalArgumentException("pattern not found");
    }
}
