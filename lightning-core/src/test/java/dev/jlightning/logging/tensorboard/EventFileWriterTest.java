package dev.jlightning.logging.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void twoWritersOpenedInTheSameSecondGetDistinctFiles() {
        FakeClock clock = new FakeClock(1_700_000_000.9);
        try (EventFileWriter a = EventFileWriter.open(dir, clock, 120);
             EventFileWriter b = EventFileWriter.open(dir, clock, 120)) {
            assertNotEquals(a.path(), b.path());
            assertTrue(a.path().getFileName().toString().startsWith("events.out.tfevents.1700000000."));
        }
    }

    @Test
    void firstEventNamesTheFileVersionAndTheWriter() {
        try (EventFileWriter w = EventFileWriter.open(dir, new FakeClock(5.5), 120)) {
            DecodedEvents.Event first = DecodedEvents.read(w.path()).get(0);
            assertEquals(Optional.of("brain.Event:2"), first.fileVersion());
            assertEquals(Optional.of("dev.jlightning.logging.TensorBoardLogger"), first.sourceWriter());
            assertEquals(5.5, first.wallTime());
        }
    }

    @Test
    void closedWriterRefusesEventsAndClosingTwiceIsHarmless() {
        EventFileWriter w = EventFileWriter.open(dir, new FakeClock(1), 120);
        w.addSummary(Summaries.scalar("a", 1), OptionalLong.of(1));
        w.close();
        w.close();
        assertTrue(w.isClosed());
        assertEquals(2, TfRecordReader.read(w.path()).size());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> w.addSummary(Summaries.scalar("a", 2), OptionalLong.empty()));
        assertEquals("TensorBoard event file " + w.path() + " is closed", e.getMessage());
    }

    @Test
    void scalarIsRoundedToFloat32LikeSimpleValue() {
        try (EventFileWriter w = EventFileWriter.open(dir, new FakeClock(1), 120)) {
            w.addSummary(Summaries.scalar("x", 1.0 / 3.0), OptionalLong.of(-3));
            w.flush();
            List<DecodedEvents.Event> events = DecodedEvents.read(w.path());
            assertEquals(Optional.of(0.33333334f), events.get(1).summary().get(0).simpleValue());
            assertEquals(-3, events.get(1).step(), "steps are int64 and may be negative");
        }
    }

    @Test
    void nonPositiveFlushSecsIsRejected() {
        assertEquals("flushSecs must be a positive number of seconds, got -1.0", assertThrows(
                IllegalArgumentException.class, () -> EventFileWriter.open(dir, new FakeClock(1), -1)).getMessage());
    }
}
