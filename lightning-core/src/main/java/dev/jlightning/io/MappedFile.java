package dev.jlightning.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A weight file opened for reading: small reads into the heap for headers, read-only memory mappings for tensor
 * bytes. Every read is checked against the file's size first, so a header that points past the end is an exception
 * and never a mapping that faults.
 */
final class MappedFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final long size;

    MappedFile(Path path) {
        this.path = path;
        if (java.nio.file.Files.exists(path) && !java.nio.file.Files.isRegularFile(path)) {
            // a device (/dev/zero) or pipe reports no size to check reads against
            throw new WeightsFileException(path + " is not a regular file (a directory, device or pipe); weights are"
                    + " read only from regular files");
        }
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.size = channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    long size() {
        return size;
    }

    /** Reads {@code length} bytes at {@code position} into a little-endian heap buffer. */
    ByteBuffer read(long position, int length, String what) {
        requireInside(position, length, what);
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n < 0) {
                    throw new WeightsFileException(path + " ended while reading " + what);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return buffer.flip();
    }

    /** Maps {@code length} bytes at {@code position} read-only; a mapping of 0 bytes is an empty direct buffer. */
    ByteBuffer map(long position, long length, String what) {
        requireInside(position, length, what);
        if (length > Integer.MAX_VALUE) {
            throw new WeightsFileException(path + ": " + what + " is " + length
                    + " bytes; storages over 2 GiB are not supported");
        }
        if (length == 0) {
            return ByteBuffer.allocateDirect(0);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + path + ": " + e.getMessage(), e);
        }
    }

    void requireInside(long position, long length, String what) {
        if (position < 0 || length < 0 || position > size || length > size - position) {
            throw new WeightsFileException(path + " is truncated or lies about its layout: " + what + " spans bytes "
                    + position + ".." + (position + length) + " but the file has " + size + " bytes");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
