package dev.jlightning.logging.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordWriterTest {

    @Test
    void crc32cOfTheStandardCheckString() {
        // The CRC-32C check value of "123456789" (RFC 3720, B.4).
        assertEquals(0xE3069283, TfRecordReader.crc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void maskRotatesRightByFifteenAndAddsTensorFlowsDelta() {
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        int rotated = (0xE3069283 >>> 15) | (0xE3069283 << 17);
        assertEquals(rotated + 0xa282ead8, RecordWriter.maskedCrc32c(data, 0, data.length));
    }

    @Test
    void frameIsLengthLengthCrcPayloadPayloadCrcInLittleEndian() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] payload = "abc".getBytes(StandardCharsets.US_ASCII);
        RecordWriter.write(out, payload);
        byte[] frame = out.toByteArray();
        assertEquals(8 + 4 + 3 + 4, frame.length);
        assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(frame, 0, 8));
        int lengthCrc = TfRecordReader.masked(TfRecordReader.crc32c(java.util.Arrays.copyOfRange(frame, 0, 8)));
        assertEquals(lengthCrc, littleEndianInt(frame, 8));
        assertArrayEquals(payload, java.util.Arrays.copyOfRange(frame, 12, 15));
        assertEquals(TfRecordReader.masked(TfRecordReader.crc32c(payload)), littleEndianInt(frame, 15));
        assertEquals(List.of("abc"), TfRecordReader.read(frame).stream()
                .map(b -> new String(b, StandardCharsets.US_ASCII)).toList());
    }

    @Test
    void readerDetectsACorruptedLengthPayloadOrChecksum() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordWriter.write(out, "first".getBytes(StandardCharsets.US_ASCII));
        RecordWriter.write(out, "second".getBytes(StandardCharsets.US_ASCII));
        byte[] good = out.toByteArray();
        int second = 8 + 4 + 5 + 4;

        byte[] payloadFlip = good.clone();
        payloadFlip[second + 12 + 2] ^= 0x01;
        assertEquals("payload CRC mismatch at offset " + second, assertThrows(
                TfRecordReader.CorruptRecordException.class, () -> TfRecordReader.read(payloadFlip)).getMessage());

        byte[] lengthFlip = good.clone();
        lengthFlip[second] ^= 0x01;
        assertEquals("length CRC mismatch at offset " + second, assertThrows(
                TfRecordReader.CorruptRecordException.class, () -> TfRecordReader.read(lengthFlip)).getMessage());

        byte[] crcFlip = good.clone();
        crcFlip[good.length - 1] ^= (byte) 0x80;
        assertEquals("payload CRC mismatch at offset " + second, assertThrows(
                TfRecordReader.CorruptRecordException.class, () -> TfRecordReader.read(crcFlip)).getMessage());
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
