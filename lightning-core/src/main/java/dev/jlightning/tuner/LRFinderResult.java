package dev.jlightning.tuner;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * What a learning-rate range test found: the learning rate of every step, the smoothed loss after it, and a
 * suggested learning rate.
 *
 * <p>Counterpart of Lightning's {@code _LRFinder} ({@code results["lr"]}, {@code results["loss"]},
 * {@code suggestion()}). The suggestion is Lightning's: drop {@code skipBegin} points at the start and
 * {@code skipEnd} at the end, drop non-finite losses, take the gradient of the loss with respect to the learning
 * rate ({@code torch.gradient} with the learning rates as coordinates, in float32 as Lightning's tensors) and return
 * the learning rate where it is most negative, the steepest descent. The data is exposed for plotting (the examples
 * module draws it with XChart: loss against learning rate, log scale in exponential mode, the suggestion marked).
 * Immutable.
 */
public final class LRFinderResult {

    private static final Logger LOG = LogManager.getLogger(LRFinderResult.class);

    private final String mode;
    private final double minLr;
    private final double maxLr;
    private final int numTraining;
    private final List<Double> lrs;
    private final List<Double> losses;

    LRFinderResult(String mode, double minLr, double maxLr, int numTraining, List<Double> lrs, List<Double> losses) {
        this.mode = mode;
        this.minLr = minLr;
        this.maxLr = maxLr;
        this.numTraining = numTraining;
        this.lrs = List.copyOf(lrs);
        this.losses = List.copyOf(losses);
    }

    /** "exponential" or "linear". */
    public String mode() {
        return mode;
    }

    public double minLr() {
        return minLr;
    }

    public double maxLr() {
        return maxLr;
    }

    public int numTraining() {
        return numTraining;
    }

    /** The learning rate of each step. Lightning: {@code results["lr"]}. */
    public List<Double> lrs() {
        return lrs;
    }

    /** The smoothed, bias-corrected loss after each step. Lightning: {@code results["loss"]}. */
    public List<Double> losses() {
        return losses;
    }

    /** Lightning's default suggestion: {@code suggestion(skip_begin=10, skip_end=1)}. */
    public OptionalDouble suggestion() {
        return suggestion(10, 1);
    }

    /**
     * The learning rate at the steepest descent of the loss, or empty (with an error logged, as Lightning) when
     * fewer than two finite points remain.
     *
     * @param skipBegin points to skip at the start (naive early estimates)
     * @param skipEnd points to skip at the end, at least 1 (Lightning slices {@code [skip_begin:-skip_end]})
     */
    public OptionalDouble suggestion(int skipBegin, int skipEnd) {
        OptionalInt idx = suggestionIndex(skipBegin, skipEnd);
        return idx.isPresent() ? OptionalDouble.of(lrs.get(idx.getAsInt())) : OptionalDouble.empty();
    }

    /** The index into {@link #lrs()} of {@link #suggestion(int, int)}. Lightning: {@code _optimal_idx}. */
    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    public OptionalInt suggestionIndex(int skipBegin, int skipEnd) {
        if (skipBegin < 0) {
            throw new IllegalArgumentException("suggestion `skip_begin` must be >= 0, got " + skipBegin);
        }
        if (skipEnd < 1) {
            throw new IllegalArgumentException("suggestion `skip_end` must be >= 1, got " + skipEnd
                    + " (the points are losses[skip_begin:-skip_end])");
        }
        int from = Math.min(skipBegin, losses.size());
        int to = Math.max(from, losses.size() - skipEnd);
        List<Integer> kept = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // torch.tensor(list) makes float32, so a loss beyond float32's range is not finite either
            if (Float.isFinite((float) losses.get(i).doubleValue())) {
                kept.add(i);
            }
        }
        if (kept.size() < 2) {
            LOG.error("Failed to compute suggestion for learning rate because there are not enough points. Increase"
                    + " the loop iteration limits or the size of your dataset/dataloader.");
            return OptionalInt.empty();
        }
        float[] y = new float[kept.size()];
        float[] x = new float[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            y[k] = (float) losses.get(kept.get(k)).doubleValue();
            x[k] = (float) lrs.get(kept.get(k)).doubleValue();
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor lossT = Tensor.create(y);
            Tensor lrT = Tensor.create(x);
            TensorVector spacing = new TensorVector(lrT);
            Tensor gradients = torch.gradient(lossT, new TensorArrayRef(spacing)).get(0);
            int minGrad = (int) gradients.argmin().item_long();
            return OptionalInt.of(kept.get(minGrad));
        }
    }

    @Override
    public String toString() {
        return "LRFinderResult[mode=" + mode + ", min_lr=" + minLr + ", max_lr=" + maxLr + ", points=" + lrs.size()
                + "]";
    }
}
