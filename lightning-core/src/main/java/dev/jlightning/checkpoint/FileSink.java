package dev.jlightning.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@link AtomicCheckpointIO} writes a checkpoint's temporary file: the seam between checkpoint logic and the
 * file system, so that tests can make a write fail the way a full disk does.
 */
public interface FileSink extends Closeable {

    /** Writes all of {@code bytes}. */
    void write(ByteBuffer bytes) throws IOException;

    /** Forces the written bytes to the storage device ({@code fsync}). */
    void sync() throws IOException;

    /** Opens {@code path}, which must not exist yet; the default sink is a {@link FileChannel}. */
    @FunctionalInterface
    interface Opener {
        FileSink open(Path path) throws IOException;
    }

    /** The file-system sink. */
    static FileSink open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileSink() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }

            @Override
            public void sync() throws IOException {
                channel.force(true);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
