package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerPlotsExampleTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void writesOneValidPngPerSchedule(@TempDir Path root) throws IOException {
        SchedulerPlotsExample.main(new String[] {"--root-dir", root.toString()});
        Path dir = root.resolve("lightning_logs").resolve("scheduler-plots");
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertEquals(List.of("cosineannealinglr.png", "cosineannealingwarmrestarts.png", "exponentiallr.png",
                "lambdalr_warmup_step_decay.png", "multisteplr.png", "onecyclelr.png",
                "paddle_linearwarmup_multistepdecay.png", "reducelronplateau.png", "sequentiallr_warmup_exponential.png",
                "steplr.png"), names);
        for (String name : names) {
            Path file = dir.resolve(name);
            byte[] bytes = Files.readAllBytes(file);
            assertTrue(bytes.length > 1000, name + " is only " + bytes.length + " bytes");
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), name + " is not a PNG");
            BufferedImage image = ImageIO.read(file.toFile());
            assertNotNull(image, name + " cannot be decoded");
            assertEquals(800, image.getWidth(), name);
            assertEquals(500, image.getHeight(), name);
        }
    }
}
