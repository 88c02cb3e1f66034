package dev.jlightning.optim;

import java.util.Objects;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/**
 * {@code learning_rate * lr_lambda(epoch)}: PaddlePaddle's {@code paddle.optimizer.lr.LambdaDecay}. From a
 * configuration map {@code lr_lambda} is a {@link Formula} string in {@code epoch}. Every param group gets the value;
 * see {@link PaddleLRScheduler}. The function is not part of the state dict.
 */
public class LambdaDecay extends PaddleLRScheduler {
    private final IntToDoubleFunction lrLambda;

    /** {@code LambdaDecay(learning_rate, lr_lambda)}. */
    public LambdaDecay(Optimizer optimizer, double learningRate, IntToDoubleFunction lrLambda) {
        this(optimizer, learningRate, lrLambda, -1);
    }

    /** {@code LambdaDecay(learning_rate, lr_lambda, last_epoch)}. */
    public LambdaDecay(Optimizer optimizer, double learningRate, IntToDoubleFunction lrLambda, int lastEpoch) {
        super(optimizer, learningRate, lastEpoch);
        this.lrLambda = Objects.requireNonNull(lrLambda, "lr_lambda");
        initialStep();
    }

    @Override
    protected double paddleLr() {
        return baseLr() * lrLambda.applyAsDouble(lastEpoch());
    }
}
