package dev.jlightning.callbacks.progress;

/**
 * A monotonic time source in nanoseconds, for elapsed times and rates.
 *
 * <p>Counterpart of the {@code time()} that tqdm reads (its {@code _time}); an interface so tests move time by hand
 * and get exact rates and ETAs.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin, never decreasing. */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
