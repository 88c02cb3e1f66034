package dev.jlightning.logging.tensorboard;

import java.time.Instant;

/**
 * The source of wall-clock time for event files: each event's {@code wall_time}, the time in the event file's
 * name, and the flush schedule.
 *
 * <p>Counterpart of the {@code time.time()} calls in TensorBoard's {@code EventFileWriter} and
 * {@code torch.utils.tensorboard.FileWriter}; an interface so that tests can drive time by hand.
 */
@FunctionalInterface
public interface WallClock {

    /** Seconds since the Unix epoch, with a fraction, like Python's {@code time.time()}. */
    double seconds();

    /** The system clock, at the best resolution {@link Instant#now()} offers. */
    static WallClock system() {
        return () -> {
            Instant now = Instant.now();
            return now.getEpochSecond() + now.getNano() / 1e9;
        };
    }
}
