package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.logging.tensorboard.DecodedEvents;
import dev.jlightning.logging.tensorboard.DecodedEvents.Event;
import dev.jlightning.logging.tensorboard.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Tensor convenience reads any shape and real dtype as the double[] path would. */
class TensorBoardLoggerTensorHistogramTest {

    @TempDir
    Path saveDir;

    @Test
    @SuppressWarnings("try")
    void tensorHistogramEqualsTheHistogramOfItsValuesAsDoubles() throws IOException {
        float[] values = {0.5f, -1.25f, 3.0f, 0.1f, 0.0f, 7.75f};
        double[] widened = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            widened[i] = values[i];
        }
        TensorBoardLogger logger = TensorBoardLogger.builder(saveDir).clock(new FakeClock(1e9)).build();
        try (PointerScope scope = new PointerScope()) {
            Tensor matrix = Tensor.create(values, 2, 3);
            logger.logHistogram("from_tensor", matrix, 1);
        }
        logger.logHistogram("from_doubles", widened, 1);
        logger.save();

        List<Event> events = DecodedEvents.read(onlyEventFile(logger));
        DecodedEvents.Histo fromTensor = events.get(1).summary().get(0).histo().orElseThrow();
        DecodedEvents.Histo fromDoubles = events.get(2).summary().get(0).histo().orElseThrow();
        assertEquals(fromDoubles, fromTensor);
        assertEquals(6.0, fromTensor.num());
        assertEquals(-1.25, fromTensor.min());
    }

    @Test
    @SuppressWarnings("try")
    void emptyAndUndefinedTensorsAreRejected() {
        TensorBoardLogger logger = TensorBoardLogger.builder(saveDir).build();
        try (PointerScope scope = new PointerScope()) {
            Tensor empty = Tensor.create(new double[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> logger.logHistogram("w", empty, 0));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            IllegalArgumentException undefined = assertThrows(IllegalArgumentException.class,
                    () -> logger.logHistogram("w", new Tensor(), 0));
            assertEquals("histogram 'w': the tensor is undefined", undefined.getMessage());
        }
        assertEquals("histogram 'w': the tensor is undefined", assertThrows(IllegalArgumentException.class,
                () -> logger.logHistogram("w", (Tensor) null, 0)).getMessage());
    }

    private static Path onlyEventFile(TensorBoardLogger logger) throws IOException {
        try (Stream<Path> files = Files.list(logger.logDir())) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .findFirst().orElseThrow();
        }
    }
}
