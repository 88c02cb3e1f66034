package dev.jlightning.optim;

import org.bytedeco.pytorch.Optimizer;

/**
 * Makes one scheduler class from its configuration: the entry registered under a PyTorch (or PaddlePaddle) class
 * name in {@link LRSchedulers}. An implementation declares its keys with {@link SchedulerConfig#expectKeys}, reads
 * them with the config's typed getters and calls the scheduler's constructor or builder, which checks the values.
 */
@FunctionalInterface
public interface SchedulerFactory {
    /**
     * The scheduler {@code config} describes, attached to {@code optimizer}.
     *
     * @throws IllegalArgumentException on an unknown key, a missing or mistyped value, or a value the scheduler
     *     rejects
     */
    LRScheduler create(Optimizer optimizer, SchedulerConfig config);
}
