package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * A constant learning rate per interval of epochs: {@code values[i]} while {@code epoch < boundaries[i]}, and the
 * last value afterwards; PaddlePaddle's {@code paddle.optimizer.lr.PiecewiseDecay}. As in Paddle, {@code values} needs
 * at least one more element than {@code boundaries}, and after the last boundary the <em>last</em> element applies
 * (extra elements are skipped). Every param group gets the value; see {@link PaddleLRScheduler}.
 */
public class PiecewiseDecay extends PaddleLRScheduler {
    private final int[] boundaries;
    private final double[] values;

    /** {@code PiecewiseDecay(boundaries, values)}. */
    public PiecewiseDecay(Optimizer optimizer, List<Integer> boundaries, List<Double> values) {
        this(optimizer, boundaries, values, -1);
    }

    /**
     * {@code PiecewiseDecay(boundaries, values, last_epoch)}.
     *
     * @throws IllegalArgumentException if {@code boundaries} is empty, or {@code values} has fewer than
     *     {@code len(boundaries) + 1} elements, or a value is negative or not finite
     */
    public PiecewiseDecay(Optimizer optimizer, List<Integer> boundaries, List<Double> values, int lastEpoch) {
        // Paddle passes no learning_rate to its base, whose default is 0.1; it is never used.
        super(optimizer, 0.1, lastEpoch);
        if (boundaries.isEmpty()) {
            throw Checks.invalid("PiecewiseDecay", "boundaries", boundaries, "the boundaries cannot be empty");
        }
        if (values.size() <= boundaries.size()) {
            throw Checks.invalid("PiecewiseDecay", "values", values, "expected at least len(boundaries) + 1 = "
                    + (boundaries.size() + 1) + " values, got " + values.size());
        }
        this.boundaries = boundaries.stream().mapToInt(Integer::intValue).toArray();
        this.values = new double[values.size()];
        for (int i = 0; i < this.values.length; i++) {
            double v = values.get(i);
            if (!Double.isFinite(v) || v < 0) {
                throw Checks.invalid("PiecewiseDecay", "values[" + i + "]", v, "expected a finite number >= 0");
            }
            this.values[i] = v;
        }
        initialStep();
    }

    @Override
    protected double paddleLr() {
        for (int i = 0; i < boundaries.length; i++) {
            if (lastEpoch() < boundaries[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        List<Object> b = new ArrayList<>();
        for (int x : boundaries) {
            b.add(x);
        }
        state.put("boundaries", b);
        state.put("values", StateDicts.numbers(values));
        return state;
    }
}
