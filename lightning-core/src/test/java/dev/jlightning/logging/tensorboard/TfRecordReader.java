package dev.jlightning.logging.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test-side reader of TensorFlow's record framing, written independently of the production writer: its CRC32C is
 * a bitwise implementation of the Castagnoli polynomial, not {@link java.util.zip.CRC32C}.
 */
public final class TfRecordReader {

    /** A record whose framing is broken. */
    public static final class CorruptRecordException extends RuntimeException {
        CorruptRecordException(String message) {
            super(message);
        }
    }

    private TfRecordReader() {
    }

    public static List<byte[]> read(Path file) {
        try {
            return read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record's payload, after checking the length CRC and the payload CRC of each. */
    public static List<byte[]> read(byte[] data) {
        List<byte[]> records = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            int start = buf.position();
            if (buf.remaining() < 12) {
                throw new CorruptRecordException("truncated header at offset " + start);
            }
            long length = buf.getLong();
            int lengthCrc = buf.getInt();
            int expectedLengthCrc = masked(crc32c(Arrays.copyOfRange(data, start, start + 8)));
            if (lengthCrc != expectedLengthCrc) {
                throw new CorruptRecordException("length CRC mismatch at offset " + start);
            }
            if (length > buf.remaining() - 4) {
                throw new CorruptRecordException("truncated payload at offset " + start);
            }
            byte[] payload = new byte[(int) length];
            buf.get(payload);
            int payloadCrc = buf.getInt();
            if (payloadCrc != masked(crc32c(payload))) {
                throw new CorruptRecordException("payload CRC mismatch at offset " + start);
            }
            records.add(payload);
        }
        return records;
    }

    /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit. */
    public static int crc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    /** TensorFlow's mask: rotate right 15, add 0xa282ead8. */
    public static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }
}
