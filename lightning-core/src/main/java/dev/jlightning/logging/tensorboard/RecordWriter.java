package dev.jlightning.logging.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Frames payloads in TensorFlow's record format (TFRecord), the container of every event file.
 *
 * <p>Counterpart of TensorBoard's {@code RecordWriter} and TensorFlow's {@code io::RecordWriter}: each record is
 * the payload length as a little-endian {@code uint64}, the masked CRC32C of those 8 bytes (little-endian
 * {@code uint32}), the payload, and the masked CRC32C of the payload.
 */
final class RecordWriter {

    /** TensorFlow's {@code crc32c::Mask} delta. */
    private static final int MASK_DELTA = 0xa282ead8;

    private RecordWriter() {
    }

    /** Writes one framed record holding {@code payload}. */
    static void write(OutputStream out, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Long.BYTES + Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(payload.length);
        header.putInt(maskedCrc32c(header.array(), 0, Long.BYTES));
        out.write(header.array());
        out.write(payload);
        ByteBuffer footer = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc32c(payload, 0, payload.length));
        out.write(footer.array());
    }

    /**
     * TensorFlow's masked CRC32C: rotate right by 15 bits and add a constant, so that a CRC computed over data
     * that itself contains CRCs stays well distributed.
     */
    static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }
}
