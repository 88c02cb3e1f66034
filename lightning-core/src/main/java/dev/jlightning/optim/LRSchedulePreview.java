package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.global.torch;

/**
 * The learning-rate curve a scheduler configuration produces, without training: what the seeds' matplotlib loops
 * ({@code for epoch in range(n): scheduler.step(); lrs.append(...)}) compute, for plotting or checking a config
 * before a run.
 *
 * <p>The scheduler is built with {@link LRSchedulers#create} (so PyTorch and PaddlePaddle names, formulas and nested
 * maps all work) on a throwaway SGD optimizer with momentum 0.9 and one one-element parameter per group, each group
 * starting at the given learning rate. Everything native is created inside a {@link PointerScope} and freed before
 * the method returns.
 */
public final class LRSchedulePreview {
    private LRSchedulePreview() {
    }

    /**
     * The learning rate of every group for {@code steps} consecutive epochs (or batches): row {@code t} is the rate
     * in effect after {@code t} calls of {@code step()}, row 0 the one right after construction.
     *
     * @param config a scheduler configuration as {@link LRSchedulers#create} takes it
     * @param groupLrs each param group's learning rate before the scheduler is created (PyTorch's {@code lr})
     * @param steps how many rows, at least 1
     * @return {@code steps} rows of {@code groupLrs.length} learning rates
     * @throws IllegalArgumentException on a bad configuration (as {@link LRSchedulers#create}), an empty or negative
     *     learning rate list, or {@code steps < 1}; ReduceLROnPlateau needs metrics, see
     *     {@link #preview(Map, double[], double[])}
     * @throws IllegalStateException if the scheduler refuses to step that far (OneCycleLR past {@code total_steps})
     */
    @SuppressWarnings("try") // the scope is only there to free what the body allocates
    public static double[][] preview(Map<String, ?> config, double[] groupLrs, int steps) {
        Objects.requireNonNull(config, "config");
        if (steps < 1) {
            throw new IllegalArgumentException("preview: steps=" + steps + " is invalid: expected at least 1");
        }
        if ("ReduceLROnPlateau".equals(config.get("name"))) {
            throw new IllegalArgumentException("preview: ReduceLROnPlateau steps on a metric; pass the metric values"
                    + " with preview(config, groupLrs, metrics)");
        }
        double[][] rows = new double[steps][];
        try (PointerScope scope = new PointerScope()) {
            LRScheduler scheduler = LRSchedulers.create(optimizer(groupLrs), config);
            rows[0] = scheduler.paramGroups().lrs();
            for (int t = 1; t < steps; t++) {
                scheduler.step();
                rows[t] = scheduler.paramGroups().lrs();
            }
        }
        return rows;
    }

    /**
     * The learning rate of every group while a metric-driven scheduler (ReduceLROnPlateau) is fed {@code metrics}:
     * row 0 right after construction, row {@code i + 1} after {@code step(metrics[i])}. Any other scheduler receives
     * the values through its {@code step(double)}, i.e. as PyTorch's deprecated epoch argument.
     *
     * @return {@code metrics.length + 1} rows of {@code groupLrs.length} learning rates
     * @throws IllegalArgumentException on a bad configuration or learning rate list
     */
    @SuppressWarnings({"deprecation", "try"})
    public static double[][] preview(Map<String, ?> config, double[] groupLrs, double[] metrics) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        double[][] rows = new double[metrics.length + 1][];
        try (PointerScope scope = new PointerScope()) {
            LRScheduler scheduler = LRSchedulers.create(optimizer(groupLrs), config);
            rows[0] = scheduler.paramGroups().lrs();
            for (int i = 0; i < metrics.length; i++) {
                scheduler.step(metrics[i]);
                rows[i + 1] = scheduler.paramGroups().lrs();
            }
        }
        return rows;
    }

    /** One column of a preview: group {@code group}'s learning rate per row, ready to plot. */
    public static double[] column(double[][] rows, int group) {
        double[] out = new double[rows.length];
        for (int t = 0; t < rows.length; t++) {
            out[t] = rows[t][group];
        }
        return out;
    }

    private static SGD optimizer(double[] groupLrs) {
        Objects.requireNonNull(groupLrs, "groupLrs");
        if (groupLrs.length == 0) {
            throw new IllegalArgumentException("preview: groupLrs is empty: expected one learning rate per param"
                    + " group, at least one");
        }
        for (int i = 0; i < groupLrs.length; i++) {
            if (!Double.isFinite(groupLrs[i]) || groupLrs[i] < 0) {
                throw new IllegalArgumentException("preview: groupLrs[" + i + "]=" + groupLrs[i]
                        + " is invalid: expected a finite learning rate >= 0");
            }
        }
        Optimizers.Builder<SGD> builder = Optimizers.sgd(groupLrs[0]).momentum(0.9);
        for (double lr : groupLrs) {
            builder.group(List.of(torch.zeros(1)), g -> g.lr(lr));
        }
        return builder.build();
    }
}
