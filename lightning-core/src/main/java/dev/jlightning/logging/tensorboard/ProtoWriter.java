package dev.jlightning.logging.tensorboard;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes one protobuf message, field by field, in the order the caller writes them.
 *
 * <p>Callers write fields in ascending field number, which is the order protobuf's own serializers use, so the
 * bytes equal what Python's {@code SerializeToString()} produces for the same message. Proto3 rules decide what is
 * written: a plain scalar field is skipped at its default (0, empty), while a member of a {@code oneof} has
 * explicit presence and is always written ({@code oneof*} methods), as are message fields once set.
 */
final class ProtoWriter {

    private final ByteString.Output bytes = ByteString.newOutput();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    /** A {@code double} field, skipped when it is +0.0 (proto3 compares bits, so -0.0 is written). */
    ProtoWriter doubleField(int number, double value) {
        if (Double.doubleToRawLongBits(value) != 0L) {
            run(() -> out.writeDouble(number, value));
        }
        return this;
    }

    /** An {@code int64} field, skipped at 0. */
    ProtoWriter int64Field(int number, long value) {
        if (value != 0L) {
            run(() -> out.writeInt64(number, value));
        }
        return this;
    }

    /** An {@code int32} field, skipped at 0. */
    ProtoWriter int32Field(int number, int value) {
        if (value != 0) {
            run(() -> out.writeInt32(number, value));
        }
        return this;
    }

    /** An enum field, skipped at 0. */
    ProtoWriter enumField(int number, int value) {
        if (value != 0) {
            run(() -> out.writeEnum(number, value));
        }
        return this;
    }

    /** A {@code string} field, skipped when empty. */
    ProtoWriter stringField(int number, String value) {
        if (!value.isEmpty()) {
            run(() -> out.writeString(number, value));
        }
        return this;
    }

    /** A {@code bytes} field, skipped when empty. */
    ProtoWriter bytesField(int number, ByteString value) {
        if (!value.isEmpty()) {
            run(() -> out.writeBytes(number, value));
        }
        return this;
    }

    /** A {@code float} member of a oneof: written whatever its value. */
    ProtoWriter oneofFloat(int number, float value) {
        run(() -> out.writeFloat(number, value));
        return this;
    }

    /** A {@code string} member of a oneof: written even when empty. */
    ProtoWriter oneofString(int number, String value) {
        run(() -> out.writeString(number, value));
        return this;
    }

    /** A set message field (or oneof member): written even when the message is empty. */
    ProtoWriter messageField(int number, ProtoWriter message) {
        ByteString encoded = message.toByteString();
        run(() -> out.writeBytes(number, encoded));
        return this;
    }

    /** A set message field already encoded by protobuf-java (e.g. {@code google.protobuf.Value}). */
    ProtoWriter messageField(int number, ByteString encodedMessage) {
        run(() -> out.writeBytes(number, encodedMessage));
        return this;
    }

    /** One element of a {@code repeated bytes} field: written even when empty. */
    ProtoWriter repeatedBytesElement(int number, ByteString value) {
        run(() -> out.writeBytes(number, value));
        return this;
    }

    /** A {@code repeated double} field in proto3's default packed encoding, skipped when empty. */
    ProtoWriter packedDoubles(int number, double[] values) {
        if (values.length > 0) {
            run(() -> {
                out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(values.length * Double.BYTES);
                for (double v : values) {
                    out.writeDoubleNoTag(v);
                }
            });
        }
        return this;
    }

    /** The message's bytes so far. */
    ByteString toByteString() {
        run(out::flush);
        return bytes.toByteString();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void run(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            // Only reachable through an in-memory sink, which does not fail; kept checked-free for callers.
            throw new UncheckedIOException("encoding a protobuf message in memory failed", e);
        }
    }
}
