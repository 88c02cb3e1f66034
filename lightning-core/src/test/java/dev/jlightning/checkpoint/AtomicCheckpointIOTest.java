package dev.jlightning.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.testing.ResumableNet;
import dev.jlightning.testing.ResumeHarness;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving fails loudly when the directory cannot be written or the disk fills up, and the previous checkpoint at the
 * destination stays intact and loadable, with no temporary file left behind.
 */
class AtomicCheckpointIOTest {

    @TempDir
    Path dir;
    private Trainer trainer;
    private Path previous;
    private byte[] previousBytes;

    @BeforeEach
    void trainAndSave() throws IOException {
        Trainer.seedEverything(3);
        trainer = Trainer.builder().maxEpochs(1).logger(false).numSanityValSteps(0).build();
        trainer.fit(new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr), ResumeHarness.train());
        previous = dir.resolve("ck/last.ckpt");
        trainer.saveCheckpoint(previous);
        previousBytes = Files.readAllBytes(previous);
    }

    private void assertPreviousIntact() throws IOException {
        assertArrayEquals(previousBytes, Files.readAllBytes(previous));
        assertEquals(9, new AtomicCheckpointIO().load(previous).globalStep());
        try (Stream<Path> files = Files.list(previous.getParent())) {
            assertEquals(List.of("last.ckpt"), files.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "no temporary file is left behind");
        }
    }

    private static Checkpoint checkpointOf(Trainer t) throws IOException {
        Path tmp = Files.createTempFile("ckpt", ".ckpt");
        try {
            t.saveCheckpoint(tmp);
            return new AtomicCheckpointIO().load(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedFailsLoudly() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> trainer.saveCheckpoint(file.resolve("sub/last.ckpt")));
        assertTrue(e.getMessage().startsWith("Could not save checkpoint " + file.resolve("sub/last.ckpt")),
                e.getMessage());
        assertPreviousIntact();
    }

    @Test
    void anUnwritableDirectoryFailsLoudlyAndLeavesThePreviousCheckpoint() throws IOException {
        AtomicCheckpointIO denied = new AtomicCheckpointIO(p -> {
            throw new AccessDeniedException(p.toString());
        });
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> denied.save(checkpointOf(trainer), previous));
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        assertTrue(e.getMessage().contains("previous file there, if any, is unchanged"), e.getMessage());
        assertPreviousIntact();
    }

    /** A sink that accepts {@code capacity} bytes and then fails as a full disk does. */
    static FileSink.Opener diskWithRoomFor(long capacity) {
        return path -> {
            FileSink real = FileSink.open(path);
            return new FileSink() {
                long written;

                @Override
                public void write(ByteBuffer bytes) throws IOException {
                    if (written + bytes.remaining() > capacity) {
                        ByteBuffer part = bytes.slice();
                        part.limit((int) (capacity - written));
                        real.write(part);
                        written = capacity;
                        throw new IOException("No space left on device");
                    }
                    written += bytes.remaining();
                    real.write(bytes);
                }

                @Override
                public void sync() throws IOException {
                    real.sync();
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
    }

    @Test
    void aFullDiskFailsLoudlyAndLeavesThePreviousCheckpoint() throws IOException {
        Checkpoint next = checkpointOf(trainer);
        for (long room : new long[] {0, 10, 100, previousBytes.length - 20}) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> new AtomicCheckpointIO(diskWithRoomFor(room)).save(next, previous));
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertPreviousIntact();
        }
    }

    @Test
    void aFailingFsyncFailsLoudly() throws IOException {
        FileSink.Opener noSync = path -> {
            FileSink real = FileSink.open(path);
            return new FileSink() {
                @Override
                public void write(ByteBuffer bytes) throws IOException {
                    real.write(bytes);
                }

                @Override
                public void sync() throws IOException {
                    throw new IOException("Input/output error");
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
        assertThrows(CheckpointException.class,
                () -> new AtomicCheckpointIO(noSync).save(checkpointOf(trainer), previous));
        assertPreviousIntact();
    }

    @Test
    void theTrainersCheckpointIOIsTheOneUsedDuringFit() throws IOException {
        Trainer full = Trainer.builder().maxEpochs(1).logger(false).numSanityValSteps(0)
                .checkpointIO(new AtomicCheckpointIO(diskWithRoomFor(50))).build();
        full.fit(new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr), ResumeHarness.train());
        assertThrows(CheckpointException.class, () -> full.saveCheckpoint(previous));
        assertPreviousIntact();
    }

    @Test
    void aSuccessfulSaveReplacesTheFileInOneStep() throws IOException {
        Trainer.seedEverything(4);
        Trainer other = Trainer.builder().maxEpochs(2).logger(false).numSanityValSteps(0).build();
        other.fit(new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr), ResumeHarness.train());
        other.saveCheckpoint(previous);
        assertEquals(18, new AtomicCheckpointIO().load(previous).globalStep());
        try (Stream<Path> files = Files.list(previous.getParent())) {
            assertEquals(1, files.count());
        }
    }
}
