package dev.jlightning.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.testing.ResumableNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths that are not checkpoint files are refused before reading, and a killed save leaves nothing behind for long. */
class CheckpointFileHardeningTest {

    @TempDir
    Path dir;

    @Test
    void nonRegularFilesAreRefusedInsteadOfReadForever() {
        for (Path p : new Path[] {Path.of("/dev/zero"), dir}) {
            if (!Files.exists(p)) {
                continue;
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> new AtomicCheckpointIO().load(p));
            assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
        }
        assertTrue(Files.exists(Path.of("/dev/zero")), "the device case ran");
        dev.jlightning.io.WeightsFileException w = assertThrows(dev.jlightning.io.WeightsFileException.class,
                () -> new ResumableNet(4, 8, m -> List.of()).loadStateDict(Path.of("/dev/zero"),
                        dev.jlightning.io.LoadOptions.DEFAULT));
        assertTrue(w.getMessage().contains("is not a regular file"), w.getMessage());
    }

    @Test
    void theNextSaveRemovesStaleTemporariesOfItsOwnFileOnly() throws IOException {
        // what a save killed between writing and renaming leaves
        Path staleLast = Files.write(dir.resolve(".last.ckpt.tmp-1abc"), new byte[] {1, 2, 3});
        Path staleOther = Files.write(dir.resolve(".epoch=1.ckpt.tmp-2def"), new byte[] {1});
        Checkpoint c = CheckpointBuilder.create(0, 0, true).module(new ResumableNet(4, 8, m -> List.of())).build();
        new AtomicCheckpointIO().save(c, dir.resolve("last.ckpt"));
        assertFalse(Files.exists(staleLast));
        assertTrue(Files.exists(staleOther), "another file's temporary is left to its own next save");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(".epoch=1.ckpt.tmp-2def", "last.ckpt"), files.map(p -> p.getFileName().toString())
                    .sorted().toList());
        }
        assertEquals(0, new AtomicCheckpointIO().load(dir.resolve("last.ckpt")).globalStep());
    }
}
