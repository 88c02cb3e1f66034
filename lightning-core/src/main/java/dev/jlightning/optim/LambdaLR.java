package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/**
 * Sets each group's learning rate to its base lr times {@code lr_lambda(epoch)}: PyTorch's
 * {@code torch.optim.lr_scheduler.LambdaLR}. One function for all groups or a list with one per group; from a
 * configuration map the functions are formula strings ({@code "0.95 ** epoch"}).
 *
 * <p>The functions are not part of the state dict (PyTorch stores {@code None} for plain functions too).
 */
public class LambdaLR extends LRScheduler {
    private final List<IntToDoubleFunction> lrLambdas;

    /** {@code LambdaLR(optimizer, lr_lambda)}: one function for every group. */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
        this(optimizer, lrLambda, -1);
    }

    /** {@code LambdaLR(optimizer, lr_lambda, last_epoch)}. */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.lrLambdas = LrLambdas.forAllGroups(lrLambda, paramGroups().size());
        initialStep();
    }

    /**
     * {@code LambdaLR(optimizer, [lambda1, lambda2, ...])}: one function per group.
     *
     * @throws IllegalArgumentException if the list's length differs from the number of groups
     */
    public LambdaLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas) {
        this(optimizer, lrLambdas, -1);
    }

    /** {@code LambdaLR(optimizer, [lambda1, ...], last_epoch)}. */
    public LambdaLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.lrLambdas = LrLambdas.perGroup("LambdaLR", lrLambdas, paramGroups().size());
        initialStep();
    }

    @Override
    protected double[] getLr() {
        double[] base = baseLrs();
        int n = Math.min(base.length, lrLambdas.size());
        double[] lrs = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = base[i] * lrLambdas.get(i).applyAsDouble(lastEpoch());
        }
        return lrs;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        state.put("lr_lambdas", LrLambdas.stateEntry(lrLambdas));
        return state;
    }
}
