package dev.jlightning.optim;

import dev.jlightning.core.internal.Suggestions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bytedeco.pytorch.Optimizer;

/**
 * Builds learning-rate schedulers from configuration: a map with the class name under {@code "name"} and the
 * class's keyword arguments, exactly as in Python, e.g. {@code {"name": "OneCycleLR", "max_lr": 0.1,
 * "total_steps": 100, "anneal_strategy": "cos"}}; or the same as YAML or JSON text.
 *
 * <p>Names: every scheduler of {@code torch.optim.lr_scheduler} ({@code LambdaLR}, {@code MultiplicativeLR},
 * {@code StepLR}, {@code MultiStepLR}, {@code ConstantLR}, {@code LinearLR}, {@code ExponentialLR},
 * {@code PolynomialLR}, {@code CosineAnnealingLR}, {@code CosineAnnealingWarmRestarts}, {@code CyclicLR},
 * {@code OneCycleLR}, {@code ReduceLROnPlateau}, {@code SequentialLR}, {@code ChainedScheduler}), see
 * {@link #names()}, and PaddlePaddle's ({@code LinearWarmup}, {@code StepDecay}, {@code MultiStepDecay},
 * {@code ExponentialDecay}, {@code NaturalExpDecay}, {@code InverseTimeDecay}, {@code PolynomialDecay},
 * {@code PiecewiseDecay}, {@code LambdaDecay}, {@code CosineAnnealingDecay}) with Paddle's keywords and semantics
 * (see {@code PaddleSchedulerFactories}). {@code SequentialLR} and {@code ChainedScheduler} take {@code "schedulers": [{...}, {...}]};
 * {@code lr_lambda} (variable {@code epoch}) and {@code scale_fn} (variable {@code x}) are {@link Formula}
 * strings, a list giving one per param group. The optimizer itself is not part of the map.
 *
 * <p>Every mistake throws {@link IllegalArgumentException} at construction, before the first step, with a message
 * that names the scheduler, the key and the value and says what is accepted: an unknown name, an unknown or
 * misspelled key (with the closest accepted key), a wrong type, a missing required key, and the values PyTorch
 * itself rejects.
 *
 * <p><b>Extension point.</b> The names come from families, each one class with a
 * {@code static void registerAll(SchedulerRegistry)} that adds one {@link SchedulerFactory} per name (see
 * {@code TorchSchedulerFactories}); a factory declares its keys with {@link SchedulerConfig#expectKeys} and reads
 * them with {@link SchedulerConfig}'s typed getters. A new family (PaddlePaddle's names) is one such class plus
 * one line in this class's registry initialisation; names must not collide.
 */
public final class LRSchedulers {
    private static final SchedulerRegistry REGISTRY = buildRegistry();
    /** Deepest nesting of scheduler configs inside composites; real configurations use two or three levels. */
    static final int MAX_NESTING = 32;
    // trailing tokens: JSON garbage after the object, or a second YAML document, are refused rather than ignored
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper YAML = new YAMLMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private LRSchedulers() {
    }

    private static SchedulerRegistry buildRegistry() {
        SchedulerRegistry registry = new SchedulerRegistry();
        TorchSchedulerFactories.registerAll(registry);
        PaddleSchedulerFactories.registerAll(registry);
        return registry;
    }

    /** Every scheduler name {@link #create} accepts, sorted. */
    public static Set<String> names() {
        return REGISTRY.asMap().keySet();
    }

    /**
     * The scheduler {@code config} describes, attached to {@code optimizer}.
     *
     * @throws IllegalArgumentException on any configuration mistake (see the class documentation)
     */
    public static LRScheduler create(Optimizer optimizer, Map<String, ?> config) {
        Objects.requireNonNull(optimizer, "optimizer");
        // building a composite constructs (and initially steps) its children before a later child may be refused;
        // a refused config must leave the optimizer's learning rates, momenta and initial_lr entries as they were
        ParamGroups groups = ParamGroups.of(optimizer);
        double[] lrs = groups.lrs();
        java.util.OptionalDouble[] momenta = new java.util.OptionalDouble[groups.size()];
        for (int i = 0; i < momenta.length; i++) {
            momenta[i] = groups.momentum(i);
        }
        Map<String, Object> extras = groups.extrasStateDict();
        try {
            return create(optimizer, config, "");
        } catch (RuntimeException e) {
            groups.setLrs(lrs);
            for (int i = 0; i < momenta.length; i++) {
                if (momenta[i].isPresent()) {
                    groups.setMomentum(i, momenta[i].getAsDouble());
                }
            }
            groups.loadExtrasStateDict(extras);
            throw e;
        }
    }

    static LRScheduler create(Optimizer optimizer, Map<String, ?> config, String context) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(config, "config");
        String prefix = context.isEmpty() ? "" : context + ": ";
        // each nesting level adds " > key" to the context; building recurses once per level
        int depth = context.split(" > ", -1).length;
        if (depth > MAX_NESTING) {
            throw new IllegalArgumentException(context.substring(0, Math.min(context.length(), 120)) + "...: scheduler"
                    + " configs nest more than " + MAX_NESTING + " levels deep; composites (SequentialLR,"
                    + " ChainedScheduler, LinearWarmup) may nest at most that deep");
        }
        Object name = config.get("name");
        if (!(name instanceof String)) {
            throw new IllegalArgumentException(prefix + "scheduler config needs a \"name\" with the class name, got "
                    + (name == null ? "none" : Checks.format(name)) + "; accepted names: "
                    + String.join(", ", names()));
        }
        SchedulerFactory factory = REGISTRY.get((String) name).orElseThrow(() -> new IllegalArgumentException(
                prefix + "unknown scheduler name '" + name + "'; "
                        + Suggestions.closest((String) name, names()).map(s -> "did you mean '" + s + "'? ")
                        .orElse("") + "accepted names: " + String.join(", ", names())));
        String where = context.isEmpty() ? (String) name : context + " (" + name + ")";
        SchedulerConfig reader = new SchedulerConfig(config, (String) name, where);
        try {
            return factory.create(optimizer, reader);
        } catch (IllegalArgumentException e) {
            // value checks inside constructors know only their own class; add where the config sits
            if (context.isEmpty() || e.getMessage() == null || e.getMessage().startsWith(context)) {
                throw e;
            }
            throw new IllegalArgumentException(context + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #create} from YAML text: a mapping with {@code name}, or a mapping with a single key whose value is
     * one ({@code lr_scheduler: {name: ..., ...}}, as PaddleOCR's configuration files wrap it).
     *
     * @throws IllegalArgumentException if the text is not YAML of that shape, or on a configuration mistake
     */
    public static LRScheduler fromYaml(Optimizer optimizer, String yaml) {
        return create(optimizer, parse(YAML, "YAML", yaml));
    }

    /**
     * The schedule of a PaddleOCR {@code Optimizer.lr} block ({@code {name: Cosine, learning_rate: 0.001,
     * warmup_epoch: 2}}), with PaddleOCR's conversion of epochs to steps; see {@link PaddleOcrOptimizer}. Step it
     * per optimizer step ({@code interval: step}), as PaddleOCR does.
     *
     * @return empty for a constant learning rate without warm-up
     * @throws IllegalArgumentException naming the key on any mistake
     */
    public static java.util.Optional<LRScheduler> fromPaddleOcr(Optimizer optimizer, Map<String, ?> lr, int epochs,
            int stepEachEpoch) {
        return PaddleOcrOptimizer.schedulerMap(lr, epochs, stepEachEpoch)
                .map(m -> create(optimizer, m, "Optimizer.lr"));
    }

    /**
     * {@link #create} from JSON text: an object with {@code "name"}, or with a single key whose value is one.
     *
     * @throws IllegalArgumentException if the text is not JSON of that shape, or on a configuration mistake
     */
    public static LRScheduler fromJson(Optimizer optimizer, String json) {
        return create(optimizer, parse(JSON, "JSON", json));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> parse(ObjectMapper mapper, String format, String text) {
        Objects.requireNonNull(text, format);
        Object root;
        try {
            root = mapper.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scheduler " + format + " cannot be parsed: "
                    + e.getOriginalMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException("scheduler " + format + " must be a mapping with a \"name\", got "
                    + (root == null ? "nothing" : root.getClass().getSimpleName()));
        }
        Map<String, ?> map = (Map<String, ?>) root;
        if (!map.containsKey("name") && map.size() == 1) {
            Object only = map.values().iterator().next();
            if (only instanceof Map) {
                return (Map<String, ?>) only;
            }
        }
        return map;
    }
}
