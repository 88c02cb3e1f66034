package dev.jlightning.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Optimizer;

/**
 * PaddlePaddle's scheduler names and keyword arguments for {@link LRSchedulers}: {@code LinearWarmup},
 * {@code StepDecay}, {@code MultiStepDecay}, {@code ExponentialDecay}, {@code NaturalExpDecay},
 * {@code InverseTimeDecay}, {@code PolynomialDecay}, {@code PiecewiseDecay}, {@code LambdaDecay} and
 * {@code CosineAnnealingDecay} of {@code paddle.optimizer.lr}, each with exactly its Paddle keywords and defaults
 * ({@code learning_rate}, {@code last_epoch}, {@code verbose}, ...). {@code verbose} is accepted so that Paddle
 * configurations load unchanged, and ignored: JLightning reports learning rates through its loggers.
 *
 * <p>{@code LinearWarmup}'s {@code learning_rate} is a number or a nested Paddle scheduler map. PaddleOCR-style
 * configurations, which name the inner schedule {@code scheduler} and leave out its {@code learning_rate}, are
 * accepted too: {@code scheduler} is read as {@code learning_rate}, and an inner map without {@code learning_rate}
 * starts from the warm-up's {@code end_lr}:
 * <pre>
 * lr_scheduler:
 *   name: LinearWarmup
 *   start_lr: 0.0
 *   end_lr: 0.007
 *   warmup_steps: 2000
 *   scheduler:
 *     name: MultiStepDecay
 *     milestones: [300, 400]
 *     gamma: 0.1
 * </pre>
 */
final class PaddleSchedulerFactories {
    /** The names a LinearWarmup may nest: Paddle's own schedulers, whose scheduler is the learning rate. */
    static final Set<String> NESTABLE = Set.of("StepDecay", "MultiStepDecay", "ExponentialDecay", "NaturalExpDecay",
            "InverseTimeDecay", "PolynomialDecay", "PiecewiseDecay", "LambdaDecay", "CosineAnnealingDecay",
            "LinearWarmup");

    private PaddleSchedulerFactories() {
    }

    static void registerAll(SchedulerRegistry registry) {
        registry.add("LinearWarmup", PaddleSchedulerFactories::linearWarmup)
                .add("StepDecay", PaddleSchedulerFactories::stepDecay)
                .add("MultiStepDecay", PaddleSchedulerFactories::multiStepDecay)
                .add("ExponentialDecay", PaddleSchedulerFactories::exponentialDecay)
                .add("NaturalExpDecay", PaddleSchedulerFactories::naturalExpDecay)
                .add("InverseTimeDecay", PaddleSchedulerFactories::inverseTimeDecay)
                .add("PolynomialDecay", PaddleSchedulerFactories::polynomialDecay)
                .add("PiecewiseDecay", PaddleSchedulerFactories::piecewiseDecay)
                .add("LambdaDecay", PaddleSchedulerFactories::lambdaDecay)
                .add("CosineAnnealingDecay", PaddleSchedulerFactories::cosineAnnealingDecay);
    }

    private static LRScheduler stepDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "step_size", "gamma", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new StepDecay(optimizer, c.requireDouble("learning_rate"), c.requireInt("step_size"),
                c.optDouble("gamma", 0.1), c.optInt("last_epoch", -1));
    }

    private static LRScheduler multiStepDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "milestones", "gamma", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new MultiStepDecay(optimizer, c.requireDouble("learning_rate"), c.requireIntList("milestones"),
                c.optDouble("gamma", 0.1), c.optInt("last_epoch", -1));
    }

    private static LRScheduler exponentialDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "gamma", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new ExponentialDecay(optimizer, c.requireDouble("learning_rate"), c.requireDouble("gamma"),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler naturalExpDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "gamma", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new NaturalExpDecay(optimizer, c.requireDouble("learning_rate"), c.requireDouble("gamma"),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler inverseTimeDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "gamma", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new InverseTimeDecay(optimizer, c.requireDouble("learning_rate"), c.requireDouble("gamma"),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler polynomialDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "decay_steps", "end_lr", "power", "cycle", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new PolynomialDecay(optimizer, c.requireDouble("learning_rate"), c.requireInt("decay_steps"),
                c.optDouble("end_lr", 0.0001), c.optDouble("power", 1.0), c.optBool("cycle", false),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler piecewiseDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("boundaries", "values", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new PiecewiseDecay(optimizer, c.requireIntList("boundaries"), c.requireDoubleList("values"),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler lambdaDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "lr_lambda", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new LambdaDecay(optimizer, c.requireDouble("learning_rate"), c.requireFormula("lr_lambda", "epoch"),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler cosineAnnealingDecay(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "T_max", "eta_min", "last_epoch", "verbose");
        c.optBool("verbose", false);
        return new CosineAnnealingDecay(optimizer, c.requireDouble("learning_rate"), c.requireInt("T_max"),
                c.optDouble("eta_min", 0.0), c.optInt("last_epoch", -1));
    }

    private static LRScheduler linearWarmup(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("learning_rate", "warmup_steps", "start_lr", "end_lr", "last_epoch", "verbose", "scheduler");
        c.optBool("verbose", false);
        int warmupSteps = c.requireInt("warmup_steps");
        double startLr = c.requireDouble("start_lr");
        double endLr = c.requireDouble("end_lr");
        int lastEpoch = c.optInt("last_epoch", -1);
        if (c.has("learning_rate") && c.has("scheduler")) {
            throw c.invalid("scheduler", "absent when 'learning_rate' is given ('scheduler' is PaddleOCR's name for"
                    + " a nested learning_rate; give one of the two)");
        }
        String key = c.has("scheduler") ? "scheduler" : "learning_rate";
        if (!c.has(key)) {
            return new LinearWarmup(optimizer, c.requireDouble("learning_rate"), warmupSteps, startLr, endLr,
                    lastEpoch);
        }
        Object value = c.raw(key);
        if (value instanceof Number) {
            if (key.equals("scheduler")) {
                throw c.invalid(key, "a nested PaddlePaddle scheduler map");
            }
            return new LinearWarmup(optimizer, c.requireDouble(key), warmupSteps, startLr, endLr, lastEpoch);
        }
        if (!(value instanceof Map)) {
            throw c.invalid(key, "a number or a nested PaddlePaddle scheduler map with a \"name\"");
        }
        Map<String, Object> inner = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw c.invalid(key, "a map with string keys");
            }
            inner.put((String) e.getKey(), e.getValue());
        }
        Object innerName = inner.get("name");
        if (!(innerName instanceof String n) || !NESTABLE.contains(n)) {
            throw c.invalid(key, "a number or a PaddlePaddle scheduler map (name one of "
                    + String.join(", ", new java.util.TreeSet<>(NESTABLE)) + "), as Paddle's LinearWarmup accepts"
                    + " only Paddle schedulers");
        }
        if (!inner.containsKey("learning_rate") && !inner.containsKey("scheduler")
                && !"PiecewiseDecay".equals(innerName)) {
            // PaddleOCR's layout: the inner schedule continues from where the warm-up ends
            inner.put("learning_rate", endLr);
        }
        LRScheduler built = LRSchedulers.create(optimizer, inner, c.where() + " > " + key);
        return new LinearWarmup(optimizer, (PaddleLRScheduler) built, warmupSteps, startLr, endLr, lastEpoch);
    }
}
