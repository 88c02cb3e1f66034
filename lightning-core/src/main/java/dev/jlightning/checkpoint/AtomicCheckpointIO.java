package dev.jlightning.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The default {@link CheckpointIO}: crash-safe writes by temporary file, {@code fsync} and atomic rename.
 *
 * <p>Counterpart of Lightning's {@code TorchCheckpointIO}, which writes in place with {@code torch.save} (through
 * fsspec's {@code atomic_save} only for remote paths). Here every save writes {@code .<name>.tmp-<random>} in the
 * destination's directory, forces it to disk, renames it over the destination in one atomic step and then forces the
 * directory entry, so a crash or a kill at any moment leaves either the previous checkpoint or the complete new one.
 * A failed write (full disk, unwritable directory) deletes the temporary file and throws; the destination is
 * untouched.
 */
public final class AtomicCheckpointIO implements CheckpointIO {

    private final FileSink.Opener opener;

    /** Writes through the file system. */
    public AtomicCheckpointIO() {
        this(FileSink::open);
    }

    /** Writes through {@code opener}; for tests that simulate failing storage. */
    public AtomicCheckpointIO(FileSink.Opener opener) {
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    @Override
    public void save(Checkpoint checkpoint, Path path) {
        Path target = path.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        try {
            Files.createDirectories(dir);
            try (FileSink sink = opener.open(tmp)) {
                for (ByteBuffer part : CheckpointFormat.encode(checkpoint)) {
                    sink.write(part);
                }
                sink.sync();
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            syncDirectory(dir);
            removeStaleTemporaries(dir, "." + target.getFileName() + ".tmp-");
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, e);
            if (e instanceof CheckpointException) {
                throw (CheckpointException) e;
            }
            throw new CheckpointException("Could not save checkpoint " + target + ": " + describe(e)
                    + ". The previous file there, if any, is unchanged.", e);
        }
    }

    @Override
    public Checkpoint load(Path path) {
        Path file = path.toAbsolutePath().normalize();
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
            if (!Files.isRegularFile(file)) {
                // a device (/dev/zero), pipe or directory has no length to check against and may never end
                throw new CheckpointException(file + " is not a regular file (a directory, device or pipe); a"
                        + " checkpoint is read only from a regular file");
            }
            bytes = readExactly(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("Checkpoint " + file + " does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException("Could not read checkpoint " + file + ": " + describe(e), e);
        }
        return CheckpointFormat.decode(file.toString(), bytes);
    }

    /** The file's bytes, never more than the size it had when opened: a file that grows meanwhile is cut there. */
    private static byte[] readExactly(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new CheckpointException(file + " is " + size + " bytes; JLightning reads checkpoints up to 2 GiB");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (ch.read(buffer) < 0) {
                    break;
                }
            }
            return buffer.position() == size ? buffer.array() : java.util.Arrays.copyOf(buffer.array(),
                    buffer.position());
        }
    }

    @Override
    public void remove(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new CheckpointException("Could not remove checkpoint " + path + ": " + describe(e), e);
        }
    }

    /**
     * Deletes temporaries a killed save left behind ({@code .<name>.tmp-*}); only those of this file name, and only
     * after this save succeeded, so a save of another file in the same directory is never disturbed.
     */
    private static void removeStaleTemporaries(Path dir, String prefix) {
        try (java.nio.file.DirectoryStream<Path> stale = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix) && Files.isRegularFile(p,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // leftovers are harmless and the save itself succeeded; the next save tries again
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        // makes the rename itself durable; some platforms cannot open directories, where there is nothing to do
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }

    private static void deleteQuietly(Path tmp, Exception cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static String describe(Exception e) {
        String msg = e.getMessage();
        String what = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e)
                .getReason() != null) {
            return e.getClass().getSimpleName() + " " + msg;
        }
        return msg == null ? what : what + ": " + msg;
    }
}
