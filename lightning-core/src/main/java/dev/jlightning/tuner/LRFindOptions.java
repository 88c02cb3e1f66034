package dev.jlightning.tuner;

import dev.jlightning.core.MisconfigurationException;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The settings of a learning-rate range test, with Lightning's names and defaults: {@code minLr} 1e-8, {@code maxLr}
 * 1, {@code numTraining} 100 steps, {@code mode} "exponential", {@code earlyStopThreshold} 4.0, {@code updateAttr}
 * true.
 *
 * <p>Counterpart of the keyword arguments of Lightning's {@code Tuner.lr_find} and of the
 * {@code LearningRateFinder} callback. Immutable; build with {@link #builder()}; every wrong value throws a
 * {@link MisconfigurationException} naming the option.
 */
public final class LRFindOptions {

    /** Lightning's defaults. */
    public static final LRFindOptions DEFAULTS = builder().build();

    private final double minLr;
    private final double maxLr;
    private final int numTraining;
    private final String mode;
    private final OptionalDouble earlyStopThreshold;
    private final boolean updateAttr;
    private final Optional<String> attrName;

    private LRFindOptions(Builder b) {
        this.minLr = b.minLr;
        this.maxLr = b.maxLr;
        this.numTraining = b.numTraining;
        this.mode = b.mode;
        this.earlyStopThreshold = b.earlyStopThreshold;
        this.updateAttr = b.updateAttr;
        this.attrName = b.attrName;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The learning rate of the first step. */
    public double minLr() {
        return minLr;
    }

    /** The learning rate of the last step. */
    public double maxLr() {
        return maxLr;
    }

    /** Steps (optimizer steps) from {@code minLr} to {@code maxLr}. */
    public int numTraining() {
        return numTraining;
    }

    /** "exponential" or "linear". */
    public String mode() {
        return mode;
    }

    /** The search stops once the smoothed loss exceeds this times the best one; empty never stops it. */
    public OptionalDouble earlyStopThreshold() {
        return earlyStopThreshold;
    }

    /** Whether the suggestion is written into the module's hparams (and the running optimizers). */
    public boolean updateAttr() {
        return updateAttr;
    }

    /** The hparams key for the learning rate; empty finds {@code lr} or {@code learning_rate}. */
    public Optional<String> attrName() {
        return attrName;
    }

    /** Builder of {@link LRFindOptions}. */
    public static final class Builder {
        private double minLr = 1e-8;
        private double maxLr = 1.0;
        private int numTraining = 100;
        private String mode = "exponential";
        private OptionalDouble earlyStopThreshold = OptionalDouble.of(4.0);
        private boolean updateAttr = true;
        private Optional<String> attrName = Optional.empty();

        private Builder() {
        }

        public Builder minLr(double minLr) {
            if (!(minLr > 0) || Double.isInfinite(minLr)) {
                throw new MisconfigurationException("lr_find `min_lr` must be a finite number > 0, got " + minLr);
            }
            this.minLr = minLr;
            return this;
        }

        public Builder maxLr(double maxLr) {
            if (!(maxLr > 0) || Double.isInfinite(maxLr)) {
                throw new MisconfigurationException("lr_find `max_lr` must be a finite number > 0, got " + maxLr);
            }
            this.maxLr = maxLr;
            return this;
        }

        public Builder numTraining(int numTraining) {
            if (numTraining < 1) {
                throw new MisconfigurationException("lr_find `num_training` must be >= 1, got " + numTraining);
            }
            this.numTraining = numTraining;
            return this;
        }

        /** "exponential" (default) or "linear": how the learning rate rises from step to step. */
        public Builder mode(String mode) {
            if (!"exponential".equals(mode) && !"linear".equals(mode)) {
                throw new MisconfigurationException("lr_find `mode` should be either `linear` or `exponential`, got "
                        + mode);
            }
            this.mode = mode;
            return this;
        }

        /** Stop once the smoothed loss is above {@code threshold} times the best one (default 4.0). */
        public Builder earlyStopThreshold(double threshold) {
            if (!(threshold > 0) || Double.isInfinite(threshold)) {
                throw new MisconfigurationException("lr_find `early_stop_threshold` must be a finite number > 0, got "
                        + threshold + "; call noEarlyStop() to search the whole range");
            }
            this.earlyStopThreshold = OptionalDouble.of(threshold);
            return this;
        }

        /** Lightning's {@code early_stop_threshold=None}: always run {@code numTraining} steps. */
        public Builder noEarlyStop() {
            this.earlyStopThreshold = OptionalDouble.empty();
            return this;
        }

        /** Whether to store the suggestion in the module's hparams (default true, as Lightning). */
        public Builder updateAttr(boolean updateAttr) {
            this.updateAttr = updateAttr;
            return this;
        }

        /** The hparams key that holds the learning rate, when it is neither {@code lr} nor {@code learning_rate}. */
        public Builder attrName(String attrName) {
            if (attrName == null || attrName.isEmpty()) {
                throw new MisconfigurationException("lr_find `attr_name` must be a non-empty hparams key");
            }
            this.attrName = Optional.of(attrName);
            return this;
        }

        /** @throws MisconfigurationException if {@code maxLr <= minLr} */
        public LRFindOptions build() {
            if (!(maxLr > minLr)) {
                throw new MisconfigurationException("lr_find needs `max_lr` > `min_lr`, got min_lr=" + minLr
                        + ", max_lr=" + maxLr);
            }
            return new LRFindOptions(this);
        }
    }
}
