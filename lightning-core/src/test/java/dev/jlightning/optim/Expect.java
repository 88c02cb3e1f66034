package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on learning-rate values at the relative error the parity fixtures use. */
final class Expect {
    private Expect() {
    }

    static void close(double expected, double actual, String what) {
        if (expected == actual) {
            return;
        }
        double rel = Math.abs(expected - actual) / Math.max(Math.abs(expected), Math.abs(actual));
        if (!(rel <= 1e-12)) {
            fail(what + ": expected " + expected + " but was " + actual + " (relative error " + rel + ")");
        }
    }

    static void lrs(LRScheduler scheduler, String what, double... expected) {
        double[] last = scheduler.getLastLr();
        assertEquals(expected.length, last.length, what + ": number of groups");
        for (int i = 0; i < expected.length; i++) {
            close(expected[i], last[i], what + " last_lr[" + i + "]");
            close(expected[i], scheduler.paramGroups().lr(i), what + " group " + i + " lr");
        }
    }

    /** Steps once per expected value after checking the initial value, one group. */
    static void trace(LRScheduler scheduler, double... expectedFromInitial) {
        for (int t = 0; t < expectedFromInitial.length; t++) {
            if (t > 0) {
                scheduler.step();
            }
            lrs(scheduler, scheduler.getClass().getSimpleName() + " epoch " + t, expectedFromInitial[t]);
        }
    }
}
