package dev.jlightning.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The layout of a checkpoint file, and its encoding and decoding with every structural check done in Java.
 *
 * <p>Lightning pickles a dictionary with {@code torch.save}; unpickling can run code, so JLightning uses a container
 * of its own, big-endian:
 * <pre>
 *   offset  size  content
 *   0       8     signature "JLCKPT\r\n" (the CR LF catches text-mode mangling, as PNG's does)
 *   8       4     format version ({@link #VERSION})
 *   12      8     J = length of the JSON part
 *   20      8     A = length of the tensor archive
 *   28      J     JSON part, UTF-8 (see {@link Checkpoint})
 *   28+J    A     LibTorch archive (torch::serialize::OutputArchive, a zip)
 *   28+J+A  4     CRC-32C of every byte before it
 *   32+J+A  8     end marker "JLCKEND\n"
 * </pre>
 * A truncated file fails the length or end-marker check, a corrupted one the checksum, before anything is parsed.
 * A file from a newer format version is refused by its header.
 */
public final class CheckpointFormat {

    /** The format version this JLightning writes and the newest it reads. */
    public static final int VERSION = 1;
    /** The file extension Lightning uses. */
    public static final String FILE_EXTENSION = ".ckpt";
    static final String FORMAT_NAME = "jlightning-checkpoint";
    static final String KEY_FORMAT = "format";
    static final String KEY_FORMAT_VERSION = "format_version";

    static final byte[] SIGNATURE = {'J', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
    static final byte[] END_MARKER = {'J', 'L', 'C', 'K', 'E', 'N', 'D', '\n'};
    static final int HEADER_SIZE = 28;
    static final int TRAILER_SIZE = 12;
    /** Larger JSON parts are refused rather than parsed: a real one is kilobytes. */
    static final long MAX_JSON_BYTES = 256L << 20;

    private CheckpointFormat() {
    }

    /** The file's bytes in order: header, JSON, archive, trailer. */
    static List<ByteBuffer> encode(Checkpoint checkpoint) {
        byte[] json = CheckpointJson.write(checkpoint.json());
        byte[] archive = checkpoint.archiveBytes();
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
        header.put(SIGNATURE).putInt(VERSION).putLong(json.length).putLong(archive.length).flip();
        CRC32C crc = new CRC32C();
        crc.update(header.duplicate());
        crc.update(json);
        crc.update(archive);
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_SIZE);
        trailer.putInt((int) crc.getValue()).put(END_MARKER).flip();
        return List.of(header, ByteBuffer.wrap(json), ByteBuffer.wrap(archive), trailer);
    }

    /**
     * Decodes a whole file. Checks, in order: signature, version, lengths against the file size, end marker,
     * checksum, JSON syntax and its format entries, and the archive's structure ({@link ArchiveInspector}).
     *
     * @param source the file's name, for messages
     * @throws CheckpointException naming {@code source} and what is wrong
     */
    static Checkpoint decode(String source, byte[] file) {
        if (file.length < SIGNATURE.length || !Arrays.equals(file, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new CheckpointException(source + " is not a JLightning checkpoint: it does not start with the"
                    + " checkpoint signature \"JLCKPT\"" + guessWhatItIs(file));
        }
        if (file.length < HEADER_SIZE) {
            throw new CheckpointException(source + " is truncated: " + file.length + " bytes, shorter than the "
                    + HEADER_SIZE + "-byte checkpoint header");
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        int version = in.getInt(8);
        if (version > VERSION) {
            throw new CheckpointException(source + " was written by a newer JLightning: checkpoint format version "
                    + version + ", and this JLightning reads versions up to " + VERSION + ". Upgrade JLightning to"
                    + " load it.");
        }
        if (version < 1) {
            throw new CheckpointException(source + " is corrupted: its header gives format version " + version
                    + ", and versions start at 1");
        }
        long jsonLength = in.getLong(12);
        long archiveLength = in.getLong(20);
        if (jsonLength < 2 || jsonLength > MAX_JSON_BYTES || archiveLength < 0 || archiveLength > Integer.MAX_VALUE) {
            throw new CheckpointException(source + " is corrupted: its header gives impossible part lengths (JSON "
                    + jsonLength + " bytes, archive " + archiveLength + " bytes)");
        }
        long expected = HEADER_SIZE + jsonLength + archiveLength + TRAILER_SIZE;
        if (file.length < expected) {
            throw new CheckpointException(source + " is truncated: its header announces " + expected
                    + " bytes but the file has " + file.length + " (was it copied or written incompletely?)");
        }
        if (file.length > expected) {
            throw new CheckpointException(source + " is corrupted: " + (file.length - expected)
                    + " unexpected bytes follow the end of the checkpoint");
        }
        int crcAt = (int) (expected - TRAILER_SIZE);
        if (!Arrays.equals(file, crcAt + 4, file.length, END_MARKER, 0, END_MARKER.length)) {
            throw new CheckpointException(source + " is corrupted: the end marker is missing");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, crcAt);
        int stored = in.getInt(crcAt);
        if ((int) crc.getValue() != stored) {
            throw new CheckpointException(source + " is corrupted: checksum mismatch (stored " + hex(stored)
                    + ", computed " + hex((int) crc.getValue()) + "); the file was changed after it was written");
        }
        Map<String, Object> json;
        try {
            json = CheckpointJson.read(file, HEADER_SIZE, (int) jsonLength);
        } catch (IOException e) {
            throw new CheckpointException(source + " is corrupted: its JSON part does not parse ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (!FORMAT_NAME.equals(json.get(KEY_FORMAT))) {
            throw new CheckpointException(source + " is corrupted: its JSON part has format="
                    + CheckpointJson.describe(json.get(KEY_FORMAT)) + ", expected \"" + FORMAT_NAME + "\"");
        }
        Object jsonVersion = json.get(KEY_FORMAT_VERSION);
        if (!(jsonVersion instanceof Number) || ((Number) jsonVersion).intValue() != version) {
            throw new CheckpointException(source + " is corrupted: the header says format version " + version
                    + " but the JSON part says " + CheckpointJson.describe(jsonVersion));
        }
        CheckpointJson.toLong(json.get("epoch"), source + ": entry 'epoch'", 0, Integer.MAX_VALUE);
        CheckpointJson.toLong(json.get("global_step"), source + ": entry 'global_step'", 0, CheckpointJson.MAX_COUNTER);
        CheckpointJson.toMap(json.get("state_dict"), source + ": entry 'state_dict'");
        byte[] archive = Arrays.copyOfRange(file, HEADER_SIZE + (int) jsonLength, crcAt);
        ArchiveInspector.Contents contents = ArchiveInspector.check(source, archive);
        return new Checkpoint(json, archive, source, contents);
    }

    private static String guessWhatItIs(byte[] file) {
        if (file.length == 0) {
            return " (the file is empty)";
        }
        if (file.length >= 2 && file[0] == 'P' && file[1] == 'K') {
            return " (it is a zip archive, perhaps a PyTorch file: load its weights with module.loadStateDict)";
        }
        if ((file[0] & 0xff) == 0x80) {
            return " (it looks like a Python pickle, which JLightning never loads because unpickling can run code)";
        }
        String start = new String(file, 0, Math.min(file.length, 16), StandardCharsets.ISO_8859_1);
        return " (it starts with " + start.replaceAll("[^\\x20-\\x7e]", ".") + ")";
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }
}
