package dev.jlightning.examples.schedulers;

import static org.bytedeco.pytorch.global.torch.ones;

import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.Optimizers;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;

/**
 * A custom schedule written the way JLightning expects one: linear warmup from 0 to each group's base lr over
 * {@code warmupEpochs}, then cosine decay to {@code minLr} at {@code totalEpochs}. The Java form of the
 * {@code CosineWarmupScheduler(LRScheduler)} subclass in the PyTorch custom-scheduler tutorial this project's
 * examples follow.
 *
 * <p>As in PyTorch the schedule is computed from {@code last_epoch + 1}, so the value after construction (epoch 0)
 * is already {@code base_lr / warmup_epochs}, and the last warmup epoch reaches the base lr exactly.
 *
 * <p>The pattern: call {@code super(optimizer, lastEpoch)}, set the fields, call {@link #initialStep()}; override
 * {@link #getLr()} reading {@link #lastEpoch()} and {@link #baseLrs()}.
 */
public final class CosineWarmupScheduler extends LRScheduler {
    private final int warmupEpochs;
    private final int totalEpochs;
    private final double minLr;

    /** Warmup then cosine decay to 0, starting a new schedule. */
    public CosineWarmupScheduler(Optimizer optimizer, int warmupEpochs, int totalEpochs) {
        this(optimizer, warmupEpochs, totalEpochs, 0.0, -1);
    }

    /**
     * Warmup then cosine decay to {@code minLr}; {@code lastEpoch} resumes a schedule (-1 starts one).
     *
     * @throws IllegalArgumentException if warmupEpochs is negative, totalEpochs is not above it, or minLr is
     *     negative or not finite
     */
    public CosineWarmupScheduler(Optimizer optimizer, int warmupEpochs, int totalEpochs, double minLr,
            int lastEpoch) {
        super(optimizer, lastEpoch);
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("CosineWarmupScheduler: warmup_epochs=" + warmupEpochs
                    + " is invalid: expected an integer >= 0");
        }
        if (totalEpochs <= warmupEpochs) {
            throw new IllegalArgumentException("CosineWarmupScheduler: total_epochs=" + totalEpochs
                    + " is invalid: expected more than warmup_epochs=" + warmupEpochs
                    + " (the cosine phase divides by their difference)");
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("CosineWarmupScheduler: min_lr=" + minLr
                    + " is invalid: expected a finite number >= 0");
        }
        this.warmupEpochs = warmupEpochs;
        this.totalEpochs = totalEpochs;
        this.minLr = minLr;
        initialStep();
    }

    @Override
    protected double[] getLr() {
        int epoch = lastEpoch() + 1;
        double[] lrs = baseLrs();
        if (epoch <= warmupEpochs) {
            for (int i = 0; i < lrs.length; i++) {
                lrs[i] = lrs[i] * epoch / warmupEpochs;
            }
            return lrs;
        }
        int decayEpochs = totalEpochs - warmupEpochs;
        double cosineDecay = 0.5 * (1 + Math.cos(Math.PI * (epoch - warmupEpochs) / decayEpochs));
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = minLr + (lrs[i] - minLr) * cosineDecay;
        }
        return lrs;
    }

    /** Epochs of linear warmup. */
    public int warmupEpochs() {
        return warmupEpochs;
    }

    /** Epochs of the whole schedule, warmup included. */
    public int totalEpochs() {
        return totalEpochs;
    }

    /** The learning rate the cosine phase ends at. */
    public double minLr() {
        return minLr;
    }

    /** Prints the tutorial's 50 epochs: SGD at lr 0.1, 5 warmup epochs, min_lr 0.001. */
    public static void main(String[] args) {
        Tensor weight = ones(10);
        weight.requires_grad_(true);
        SGD optimizer = Optimizers.sgd(0.1).params(List.of(weight)).build();
        CosineWarmupScheduler scheduler = new CosineWarmupScheduler(optimizer, 5, 50, 0.001, -1);
        int numEpochs = 50;
        for (int epoch = 0; epoch < numEpochs; epoch++) {
            // a training epoch would run here, ending with optimizer.step()
            scheduler.step();
            System.out.printf(Locale.ROOT, "Epoch %d/%d, Learning Rate: %.6f%n", epoch + 1, numEpochs,
                    scheduler.getLastLr()[0]);
        }
    }
}
