package dev.jlightning.optim;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.AdagradOptions;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.LBFGS;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.RMSprop;
import org.bytedeco.pytorch.RMSpropOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;

/**
 * The LibTorch optimizer classes JLightning knows, and how each one's per-group options hold momentum, betas and
 * weight decay.
 *
 * <p>LibTorch keeps per-group options behind the untyped {@code OptimizerOptions} base; reading anything but the
 * learning rate needs a cast to the concrete options class, which JavaCPP performs without a type check. The kind is
 * therefore decided once, from the Java class of the optimizer, and every cast goes through it.
 */
enum OptimizerKind {
    SGD_KIND("SGD", true, false, true),
    ADAM_KIND("Adam", false, true, true),
    ADAMW_KIND("AdamW", false, true, true),
    RMSPROP_KIND("RMSprop", true, false, true),
    ADAGRAD_KIND("Adagrad", false, false, true),
    LBFGS_KIND("LBFGS", false, false, false);

    private final String torchName;
    private final boolean momentum;
    private final boolean betas;
    private final boolean weightDecay;

    OptimizerKind(String torchName, boolean momentum, boolean betas, boolean weightDecay) {
        this.torchName = torchName;
        this.momentum = momentum;
        this.betas = betas;
        this.weightDecay = weightDecay;
    }

    static OptimizerKind of(Optimizer optimizer) {
        // AdamW is checked before Adam out of caution: today they are siblings, but a preset release could make one
        // extend the other, and the more specific class must win.
        if (optimizer instanceof AdamW) {
            return ADAMW_KIND;
        }
        if (optimizer instanceof Adam) {
            return ADAM_KIND;
        }
        if (optimizer instanceof SGD) {
            return SGD_KIND;
        }
        if (optimizer instanceof RMSprop) {
            return RMSPROP_KIND;
        }
        if (optimizer instanceof Adagrad) {
            return ADAGRAD_KIND;
        }
        if (optimizer instanceof LBFGS) {
            return LBFGS_KIND;
        }
        throw new IllegalArgumentException("optimizer of class " + optimizer.getClass().getName()
                + " is not supported: expected one of org.bytedeco.pytorch SGD, Adam, AdamW, RMSprop, Adagrad, LBFGS"
                + " (a plain Optimizer wrapper hides which options class its groups hold)");
    }

    /** PyTorch's class name, as Lightning's LearningRateMonitor prints it. */
    String torchName() {
        return torchName;
    }

    /** Whether the groups have a {@code momentum} entry (PyTorch: {@code "momentum" in optimizer.defaults}). */
    boolean hasMomentum() {
        return momentum;
    }

    /** Whether the groups have {@code betas} (PyTorch: {@code "betas" in optimizer.defaults}). */
    boolean hasBetas() {
        return betas;
    }

    boolean hasWeightDecay() {
        return weightDecay;
    }

    /** SGD/RMSprop momentum, or Adam/AdamW beta1. Only valid when {@link #hasMomentum()} or {@link #hasBetas()}. */
    double momentum(OptimizerOptions options) {
        switch (this) {
            case SGD_KIND:
                return new SGDOptions(options).momentum().get();
            case RMSPROP_KIND:
                return new RMSpropOptions(options).momentum().get();
            case ADAM_KIND:
            case ADAMW_KIND:
                return betas(options).get(BetasLayout.BETA1);
            default:
                throw new IllegalStateException(torchName + " has no momentum");
        }
    }

    void setMomentum(OptimizerOptions options, double value) {
        switch (this) {
            case SGD_KIND:
                new SGDOptions(options).momentum().put(value);
                return;
            case RMSPROP_KIND:
                new RMSpropOptions(options).momentum().put(value);
                return;
            case ADAM_KIND:
            case ADAMW_KIND:
                betas(options).put(BetasLayout.BETA1, value);
                return;
            default:
                throw new IllegalStateException(torchName + " has no momentum");
        }
    }

    double beta2(OptimizerOptions options) {
        return betas(options).get(BetasLayout.BETA2);
    }

    void setBeta2(OptimizerOptions options, double value) {
        betas(options).put(BetasLayout.BETA2, value);
    }

    double weightDecay(OptimizerOptions options) {
        return weightDecayPointer(options).get();
    }

    void setWeightDecay(OptimizerOptions options, double value) {
        weightDecayPointer(options).put(value);
    }

    private DoublePointer weightDecayPointer(OptimizerOptions options) {
        switch (this) {
            case SGD_KIND:
                return new SGDOptions(options).weight_decay();
            case ADAM_KIND:
                return new AdamOptions(options).weight_decay();
            case ADAMW_KIND:
                return new AdamWOptions(options).weight_decay();
            case RMSPROP_KIND:
                return new RMSpropOptions(options).weight_decay();
            case ADAGRAD_KIND:
                return new AdagradOptions(options).weight_decay();
            default:
                throw new IllegalStateException(torchName + " has no weight_decay");
        }
    }

    private DoublePointer betas(OptimizerOptions options) {
        if (this == ADAM_KIND) {
            return new AdamOptions(options).betas();
        }
        if (this == ADAMW_KIND) {
            return new AdamWOptions(options).betas();
        }
        throw new IllegalStateException(torchName + " has no betas");
    }
}
