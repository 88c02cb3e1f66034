package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A setting given either once for every param group or as a list with one value per group, PyTorch's
 * {@code float or list} arguments ({@code max_lr}, {@code base_momentum}, {@code min_lr}, ...).
 */
final class PerGroup {
    private final double single;
    private final List<Double> list;

    private PerGroup(double single, List<Double> list) {
        this.single = single;
        this.list = list;
    }

    static PerGroup of(double value) {
        return new PerGroup(value, null);
    }

    static PerGroup of(List<Double> values) {
        Objects.requireNonNull(values, "values");
        for (Double v : values) {
            Objects.requireNonNull(v, "list element");
        }
        return new PerGroup(Double.NaN, new ArrayList<>(values));
    }

    boolean isList() {
        return list != null;
    }

    /** PyTorch's {@code _format_param}: expands a single value, checks a list's length against the groups. */
    double[] resolve(String owner, String key, int groups) {
        return list == null ? Checks.perGroup(owner, key, single, groups) : Checks.perGroup(owner, key, list, groups);
    }

    @Override
    public String toString() {
        return list == null ? String.valueOf(single) : list.toString();
    }
}
