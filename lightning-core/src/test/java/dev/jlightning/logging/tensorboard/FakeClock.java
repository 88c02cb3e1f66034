package dev.jlightning.logging.tensorboard;

/** A clock that only moves when a test moves it. */
public final class FakeClock implements WallClock {

    private double now;

    public FakeClock(double start) {
        this.now = start;
    }

    @Override
    public double seconds() {
        return now;
    }

    public void set(double seconds) {
        now = seconds;
    }

    public void advance(double seconds) {
        now += seconds;
    }
}
