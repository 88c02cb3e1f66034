package dev.jlightning.optim;

import dev.jlightning.core.MisconfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Optimizer;

/**
 * One optimizer with the schedulers that drive it: the typed form of the dict Lightning's
 * {@code configure_optimizers} may return ({@code {"optimizer": opt, "lr_scheduler": ..., "monitor": ...}}).
 *
 * <p>A {@code List<OptimizerConfig>} is the typed form of Lightning's list of dicts. The top-level
 * {@link #monitor()} only applies to a bare {@link ReduceLROnPlateau} added with {@link Builder#scheduler(LRScheduler)},
 * as in Lightning; giving one where it would be ignored is an error at fit start.
 */
public final class OptimizerConfig {

    private final Optimizer optimizer;
    private final List<LRSchedulerConfig> schedulers;
    private final Optional<String> monitor;

    private OptimizerConfig(Builder b) {
        this.optimizer = b.optimizer;
        this.schedulers = List.copyOf(b.schedulers);
        this.monitor = b.monitor;
    }

    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** An optimizer without schedulers. */
    public static OptimizerConfig of(Optimizer optimizer) {
        return builder(optimizer).build();
    }

    /** An optimizer with one scheduler and Lightning's default config (stepped once per epoch). */
    public static OptimizerConfig of(Optimizer optimizer, LRScheduler scheduler) {
        return builder(optimizer).scheduler(scheduler).build();
    }

    /** An optimizer with one configured scheduler. */
    public static OptimizerConfig of(Optimizer optimizer, LRSchedulerConfig scheduler) {
        return builder(optimizer).scheduler(scheduler).build();
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public List<LRSchedulerConfig> schedulers() {
        return schedulers;
    }

    public Optional<String> monitor() {
        return monitor;
    }

    /** Builder for {@link OptimizerConfig}. */
    public static final class Builder {
        private final Optimizer optimizer;
        private final List<LRSchedulerConfig> schedulers = new ArrayList<>();
        private Optional<String> monitor = Optional.empty();

        private Builder(Optimizer optimizer) {
            if (optimizer == null) {
                throw new MisconfigurationException("OptimizerConfig needs an optimizer, got null");
            }
            this.optimizer = optimizer;
        }

        /** Adds a scheduler with Lightning's default config. */
        public Builder scheduler(LRScheduler scheduler) {
            schedulers.add(LRSchedulerConfig.of(scheduler));
            return this;
        }

        public Builder scheduler(LRSchedulerConfig config) {
            if (config == null) {
                throw new MisconfigurationException("OptimizerConfig scheduler config is null");
            }
            schedulers.add(config);
            return this;
        }

        /** The metric a bare {@link ReduceLROnPlateau} monitors (Lightning's top-level {@code "monitor"}). */
        public Builder monitor(String monitor) {
            if (monitor == null || monitor.isEmpty()) {
                throw new MisconfigurationException("OptimizerConfig monitor must be a non-empty metric name");
            }
            this.monitor = Optional.of(monitor);
            return this;
        }

        public OptimizerConfig build() {
            return new OptimizerConfig(this);
        }
    }
}
