package dev.jlightning.optim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jlightning.core.internal.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * PaddleOCR's {@code Optimizer:} block: the optimizer, its learning-rate schedule and its regularizer in one mapping,
 * read the way PaddleOCR's {@code ppocr/optimizer} builds them ({@code build_optimizer}, {@code build_lr_scheduler}):
 * <pre>
 * Optimizer:
 *   name: Adam
 *   beta1: 0.9
 *   beta2: 0.999
 *   lr:
 *     name: Cosine
 *     learning_rate: 0.001
 *     warmup_epoch: 2
 *   regularizer:
 *     name: L2
 *     factor: 1.0e-05
 * </pre>
 *
 * <p>Optimizers: {@code Momentum} ({@code momentum}) and {@code SGD} become PyTorch's SGD; {@code Adam} and
 * {@code AdamW} ({@code beta1}, {@code beta2}, {@code epsilon}; AdamW's {@code weight_decay}, default 0.01) become
 * Adam and AdamW. {@code regularizer: {name: L2, factor}} is Paddle's {@code L2Decay}, which adds
 * {@code factor * param} to the gradient: PyTorch's (coupled) {@code weight_decay}; for AdamW the factor is its
 * decoupled weight decay, as Paddle's AdamW reads it. {@code L1} decay, {@code RMSProp} (Paddle puts epsilon inside
 * the square root, PyTorch outside) and {@code clip_norm} (Paddle clips each tensor's norm) have no exact PyTorch
 * twin and are rejected with a message rather than approximated.
 *
 * <p>Schedules ({@code lr.name}, default {@code Const}): {@code Cosine} (CosineAnnealingDecay over all steps),
 * {@code Linear} (PolynomialDecay, {@code end_lr}, {@code power}), {@code Step} ({@code step_size} epochs,
 * {@code gamma}), {@code Piecewise} ({@code decay_epochs}, {@code values}), {@code MultiStepDecay}
 * ({@code milestones} in epochs, {@code gamma}) and {@code Const}. Epoch counts become steps with the batches per
 * epoch, and {@code warmup_epoch > 0} wraps the schedule in a {@code LinearWarmup} of
 * {@code round(warmup_epoch * step_each_epoch)} steps from 0 to the learning rate (Python's round, half to even), as
 * PaddleOCR does. The schedule steps after every optimizer step ({@code interval: step}), as PaddleOCR's training
 * loop steps it after every batch. Unlike PaddleOCR, which passes unknown keys to {@code **kwargs} silently, an
 * unknown key is an error naming it.
 */
public final class PaddleOcrOptimizer {
    private static final Set<String> OPTIMIZERS = new TreeSet<>(List.of("Momentum", "SGD", "Adam", "AdamW"));
    private static final Set<String> SCHEDULES = new TreeSet<>(List.of("Cosine", "Linear", "Step", "Piecewise",
            "MultiStepDecay", "Const"));
    private static final YAMLMapper YAML = new YAMLMapper();

    private PaddleOcrOptimizer() {
    }

    /**
     * The optimizer and (unless the schedule is a constant) its per-step scheduler, over {@code params}.
     *
     * @param block the mapping under {@code Optimizer:}
     * @param epochs the run's epochs (PaddleOCR's {@code Global.epoch_num})
     * @param stepEachEpoch optimizer steps per epoch (PaddleOCR's {@code len(train_dataloader)})
     * @throws IllegalArgumentException naming the key on any mistake
     */
    public static OptimizerConfig create(Iterable<Tensor> params, Map<String, ?> block, int epochs,
            int stepEachEpoch) {
        Objects.requireNonNull(params, "params");
        Map<String, Object> optimizer = optimizerMap(block);
        Optimizer built = OptimizerFactory.create(params, optimizer, "Optimizer");
        Optional<Map<String, Object>> schedule = schedulerMap(lrBlock(block), epochs, stepEachEpoch);
        if (schedule.isEmpty()) {
            return OptimizerConfig.of(built);
        }
        LRScheduler scheduler = LRSchedulers.create(built, schedule.get(), "Optimizer.lr");
        return OptimizerConfig.of(built, LRSchedulerConfig.builder(scheduler).interval(Interval.STEP).build());
    }

    /** {@link #create(Iterable, Map, int, int)} over a module's {@code parameters()}. */
    public static OptimizerConfig create(TensorVector params, Map<String, ?> block, int epochs, int stepEachEpoch) {
        return create(OptimizerFactory.list(params), block, epochs, stepEachEpoch);
    }

    /**
     * {@link #create} from YAML text: the block itself, or a mapping holding it under {@code Optimizer}.
     *
     * @throws IllegalArgumentException if the text is not YAML of that shape, or on a configuration mistake
     */
    @SuppressWarnings("unchecked")
    public static OptimizerConfig fromYaml(Iterable<Tensor> params, String yaml, int epochs, int stepEachEpoch) {
        Object root;
        try {
            root = YAML.readValue(Objects.requireNonNull(yaml, "yaml"), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Optimizer YAML cannot be parsed: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException("Optimizer YAML must be a mapping, got "
                    + (root == null ? "nothing" : root.getClass().getSimpleName()));
        }
        Map<String, ?> map = (Map<String, ?>) root;
        Object inner = map.get("Optimizer");
        if (map.size() == 1 && inner instanceof Map) {
            map = (Map<String, ?>) inner;
        }
        return create(params, map, epochs, stepEachEpoch);
    }

    /**
     * The {@link OptimizerFactory} map of the block's optimizer ({@code {"name": "Adam", "lr": ..., "betas": ...}}),
     * its lr being the schedule's initial learning rate.
     */
    public static Map<String, Object> optimizerMap(Map<String, ?> block) {
        Objects.requireNonNull(block, "block");
        Object rawName = block.get("name");
        if (!(rawName instanceof String) || !OPTIMIZERS.contains(rawName)) {
            String hint = rawName instanceof String ? Suggestions.closest((String) rawName, OPTIMIZERS)
                    .map(s -> "did you mean '" + s + "'? ").orElse("") : "";
            String why = "RMSProp".equals(rawName) ? " (Paddle's RMSProp puts epsilon inside the square root,"
                    + " PyTorch's outside: use torch.optim.RMSprop in an `optimizer` section)" : "";
            throw new IllegalArgumentException("Optimizer.name: unknown optimizer " + Checks.format(rawName) + why
                    + "; " + hint + "accepted: " + String.join(", ", OPTIMIZERS));
        }
        String name = (String) rawName;
        SchedulerConfig c = new SchedulerConfig(block, name, "Optimizer (" + name + ")");
        switch (name) {
            case "Momentum":
            case "SGD":
                c.expectKeys("lr", "regularizer", "momentum", "weight_decay");
                break;
            case "AdamW":
                c.expectKeys("lr", "regularizer", "beta1", "beta2", "epsilon", "weight_decay");
                break;
            default:
                c.expectKeys("lr", "regularizer", "beta1", "beta2", "epsilon", "weight_decay");
                break;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        boolean adam = name.startsWith("Adam");
        out.put("name", adam ? name : "SGD");
        out.put("lr", initialLearningRate(lrBlock(block)));
        if ("Momentum".equals(name)) {
            out.put("momentum", c.requireDouble("momentum"));
        } else if (!adam && c.has("momentum")) {
            out.put("momentum", c.requireDouble("momentum"));
        }
        if (adam) {
            out.put("betas", List.of(c.optDouble("beta1", 0.9), c.optDouble("beta2", 0.999)));
            out.put("eps", c.optDouble("epsilon", 1e-8));
        }
        OptionalDecay decay = regularizer(block);
        if (decay.factor != null && c.has("weight_decay")) {
            throw new IllegalArgumentException("Optimizer: give either `regularizer` or `weight_decay`, not both");
        }
        if (decay.factor != null) {
            out.put("weight_decay", decay.factor);
        } else if (c.has("weight_decay")) {
            out.put("weight_decay", c.requireDouble("weight_decay"));
        } else if ("AdamW".equals(name)) {
            out.put("weight_decay", 0.01);
        }
        return out;
    }

    /**
     * The {@link LRSchedulers} map of a PaddleOCR {@code lr} block, with epochs converted to steps; empty for a
     * constant learning rate without warm-up.
     *
     * @throws IllegalArgumentException naming the key on any mistake
     */
    public static Optional<Map<String, Object>> schedulerMap(Map<String, ?> lr, int epochs, int stepEachEpoch) {
        Objects.requireNonNull(lr, "lr");
        if (stepEachEpoch < 1) {
            throw new IllegalArgumentException("Optimizer.lr: step_each_epoch must be >= 1, got " + stepEachEpoch
                    + " (the training data has no batches?)");
        }
        String name = scheduleName(lr);
        SchedulerConfig c = new SchedulerConfig(lr, name, "Optimizer.lr (" + name + ")");
        Map<String, Object> inner = new LinkedHashMap<>();
        double warmupEnd;
        switch (name) {
            case "Cosine": {
                c.expectKeys("learning_rate", "warmup_epoch", "last_epoch");
                requireEpochs(epochs, name);
                warmupEnd = c.requireDouble("learning_rate");
                inner.put("name", "CosineAnnealingDecay");
                inner.put("learning_rate", warmupEnd);
                inner.put("T_max", stepEachEpoch * epochs);
                break;
            }
            case "Linear": {
                c.expectKeys("learning_rate", "end_lr", "power", "warmup_epoch", "last_epoch");
                requireEpochs(epochs, name);
                warmupEnd = c.requireDouble("learning_rate");
                inner.put("name", "PolynomialDecay");
                inner.put("learning_rate", warmupEnd);
                inner.put("decay_steps", epochs * stepEachEpoch);
                inner.put("end_lr", c.optDouble("end_lr", 0.0));
                inner.put("power", c.optDouble("power", 1.0));
                break;
            }
            case "Step": {
                c.expectKeys("learning_rate", "step_size", "gamma", "warmup_epoch", "last_epoch");
                warmupEnd = c.requireDouble("learning_rate");
                inner.put("name", "StepDecay");
                inner.put("learning_rate", warmupEnd);
                inner.put("step_size", stepEachEpoch * c.requireInt("step_size"));
                inner.put("gamma", c.requireDouble("gamma"));
                break;
            }
            case "Piecewise": {
                c.expectKeys("decay_epochs", "values", "warmup_epoch", "last_epoch");
                List<Double> values = c.requireDoubleList("values");
                if (values.isEmpty()) {
                    throw c.invalid("values", "a non-empty list of learning rates");
                }
                warmupEnd = values.get(0);
                inner.put("name", "PiecewiseDecay");
                inner.put("boundaries", times(c.requireIntList("decay_epochs"), stepEachEpoch));
                inner.put("values", values);
                break;
            }
            case "MultiStepDecay": {
                c.expectKeys("learning_rate", "milestones", "gamma", "warmup_epoch", "last_epoch");
                warmupEnd = c.requireDouble("learning_rate");
                inner.put("name", "MultiStepDecay");
                inner.put("learning_rate", warmupEnd);
                inner.put("milestones", times(c.requireIntList("milestones"), stepEachEpoch));
                inner.put("gamma", c.requireDouble("gamma"));
                break;
            }
            default: {
                c.expectKeys("learning_rate", "warmup_epoch", "last_epoch");
                warmupEnd = c.requireDouble("learning_rate");
                break;
            }
        }
        int lastEpoch = c.optInt("last_epoch", -1);
        if (lastEpoch != -1) {
            throw c.invalid("last_epoch", "-1 (resume from a checkpoint with ckpt_path instead)");
        }
        // Python's round(): half to even
        int warmupSteps = (int) Math.rint(c.optDouble("warmup_epoch", 0.0) * stepEachEpoch);
        Object schedule = inner.isEmpty() ? (Object) warmupEnd : inner;
        if (warmupSteps > 0) {
            Map<String, Object> warmup = new LinkedHashMap<>();
            warmup.put("name", "LinearWarmup");
            warmup.put("learning_rate", schedule);
            warmup.put("warmup_steps", warmupSteps);
            warmup.put("start_lr", 0.0);
            warmup.put("end_lr", warmupEnd);
            return Optional.of(warmup);
        }
        return inner.isEmpty() ? Optional.empty() : Optional.of(inner);
    }

    /** The learning rate the schedule starts from (before warm-up): the optimizer's lr. */
    static double initialLearningRate(Map<String, ?> lr) {
        Object v = "Piecewise".equals(scheduleName(lr)) && lr.get("values") instanceof List
                && !((List<?>) lr.get("values")).isEmpty() ? ((List<?>) lr.get("values")).get(0)
                : lr.get("learning_rate");
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("Optimizer.lr: 'learning_rate' must be a number, got "
                    + (v == null ? "nothing" : Checks.format(v)));
        }
        return ((Number) v).doubleValue();
    }

    private static String scheduleName(Map<String, ?> lr) {
        Object raw = lr.containsKey("name") ? lr.get("name") : "Const";
        if (!(raw instanceof String) || !SCHEDULES.contains(raw)) {
            String hint = raw instanceof String ? Suggestions.closest((String) raw, SCHEDULES)
                    .map(s -> "did you mean '" + s + "'? ").orElse("") : "";
            throw new IllegalArgumentException("Optimizer.lr.name: unknown schedule " + Checks.format(raw) + "; "
                    + hint + "accepted: " + String.join(", ", SCHEDULES));
        }
        return (String) raw;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> lrBlock(Map<String, ?> block) {
        Object lr = block.get("lr");
        if (!(lr instanceof Map)) {
            throw new IllegalArgumentException("Optimizer.lr must be a mapping with the schedule (name,"
                    + " learning_rate, ...), got " + (lr == null ? "nothing" : Checks.format(lr)));
        }
        return (Map<String, ?>) lr;
    }

    private static void requireEpochs(int epochs, String name) {
        if (epochs < 1) {
            throw new IllegalArgumentException("Optimizer.lr (" + name + "): the schedule spans the run's epochs,"
                    + " which must be a number >= 1 (set max_epochs), got " + epochs);
        }
    }

    private static List<Integer> times(List<Integer> epochs, int stepEachEpoch) {
        List<Integer> out = new ArrayList<>();
        for (int e : epochs) {
            out.add(e * stepEachEpoch);
        }
        return out;
    }

    /** A parsed {@code regularizer}: the L2 factor, or null without one. */
    private static final class OptionalDecay {
        final Double factor;

        OptionalDecay(Double factor) {
            this.factor = factor;
        }
    }

    @SuppressWarnings("unchecked")
    private static OptionalDecay regularizer(Map<String, ?> block) {
        Object reg = block.get("regularizer");
        if (reg == null) {
            return new OptionalDecay(null);
        }
        if (!(reg instanceof Map)) {
            throw new IllegalArgumentException("Optimizer.regularizer must be a mapping {name: L2, factor: ...}, got "
                    + Checks.format(reg));
        }
        Map<String, ?> r = (Map<String, ?>) reg;
        Object name = r.get("name");
        if ("L1".equals(name) || "L1Decay".equals(name)) {
            throw new IllegalArgumentException("Optimizer.regularizer.name: L1 is not supported: PyTorch's"
                    + " optimizers have no L1 decay (only L2, as weight_decay)");
        }
        if (!"L2".equals(name) && !"L2Decay".equals(name)) {
            throw new IllegalArgumentException("Optimizer.regularizer.name: unknown regularizer "
                    + Checks.format(name) + "; accepted: L2");
        }
        SchedulerConfig c = new SchedulerConfig(r, "L2", "Optimizer.regularizer (L2)");
        c.expectKeys("factor");
        return new OptionalDecay(c.optDouble("factor", 0.0));
    }
}
