package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/**
 * Multiplies each group's learning rate by {@code lr_lambda(epoch)} every epoch: PyTorch's
 * {@code torch.optim.lr_scheduler.MultiplicativeLR}. One function for all groups or one per group; formula strings
 * from a configuration map. Chainable, and without a closed form.
 */
public class MultiplicativeLR extends LRScheduler {
    private final List<IntToDoubleFunction> lrLambdas;

    /** {@code MultiplicativeLR(optimizer, lr_lambda)}: one function for every group. */
    public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
        this(optimizer, lrLambda, -1);
    }

    /** {@code MultiplicativeLR(optimizer, lr_lambda, last_epoch)}. */
    public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lrLambda, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.lrLambdas = LrLambdas.forAllGroups(lrLambda, paramGroups().size());
        initialStep();
    }

    /**
     * {@code MultiplicativeLR(optimizer, [lambda1, lambda2, ...])}: one function per group.
     *
     * @throws IllegalArgumentException if the list's length differs from the number of groups
     */
    public MultiplicativeLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas) {
        this(optimizer, lrLambdas, -1);
    }

    /** {@code MultiplicativeLR(optimizer, [lambda1, ...], last_epoch)}. */
    public MultiplicativeLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.lrLambdas = LrLambdas.perGroup("MultiplicativeLR", lrLambdas, paramGroups().size());
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        if (isInitialStep()) {
            return lrs;
        }
        int n = Math.min(lrs.length, lrLambdas.size());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = lrs[i] * lrLambdas.get(i).applyAsDouble(lastEpoch());
        }
        return out;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("lr_lambdas", LrLambdas.stateEntry(lrLambdas));
        return state;
    }
}
