package dev.jlightning.optim;

import java.util.List;
import java.util.Objects;

/** Argument checks shared by the schedulers; every message names the scheduler, the key, the value and what is accepted. */
final class Checks {
    private Checks() {
    }

    static IllegalArgumentException invalid(String owner, String key, Object value, String expected) {
        return new IllegalArgumentException(owner + ": " + key + "=" + format(value) + " is invalid: " + expected);
    }

    static int atLeast(String owner, String key, int value, int min) {
        if (value < min) {
            throw invalid(owner, key, value, "expected an integer >= " + min);
        }
        return value;
    }

    static double finite(String owner, String key, double value) {
        if (!Double.isFinite(value)) {
            throw invalid(owner, key, value, "expected a finite number");
        }
        return value;
    }

    /**
     * PyTorch's {@code _format_param}: one value per param group, or one value for all of them.
     */
    static double[] perGroup(String owner, String key, List<Double> values, int groups) {
        Objects.requireNonNull(values, key);
        if (values.size() != groups) {
            throw new IllegalArgumentException(owner + ": " + key + "=" + values + " is invalid: " + key
                    + " must have the same length as optimizer.param_groups. " + key + " has " + values.size()
                    + " values, param_groups has " + groups + ".");
        }
        double[] out = new double[groups];
        for (int i = 0; i < groups; i++) {
            out[i] = finite(owner, key + "[" + i + "]", Objects.requireNonNull(values.get(i), key));
        }
        return out;
    }

    static double[] perGroup(String owner, String key, double value, int groups) {
        finite(owner, key, value);
        double[] out = new double[groups];
        java.util.Arrays.fill(out, value);
        return out;
    }

    static String format(Object value) {
        if (value instanceof String) {
            return "'" + value + "'";
        }
        return String.valueOf(value);
    }
}
