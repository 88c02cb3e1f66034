package dev.jlightning.optim;

import dev.jlightning.core.internal.Suggestions;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Builds an optimizer from configuration: PyTorch's class name under {@code "name"} and its keyword arguments,
 * exactly as in Python, e.g. {@code {"name": "AdamW", "lr": 0.001, "betas": [0.9, 0.98], "weight_decay": 0.01}}.
 * The configuration-file twin of {@link Optimizers}' builders, as {@link LRSchedulers#create} is of the scheduler
 * constructors; {@code LightningCLI}'s {@code optimizer} section ends here.
 *
 * <p>Names and keywords (PyTorch's defaults where a key is left out): {@code SGD} (lr 1e-3, momentum, dampening,
 * weight_decay, nesterov), {@code Adam} and {@code AdamW} (lr 1e-3, betas, eps, weight_decay, amsgrad; AdamW's
 * weight_decay defaults to 1e-2), {@code RMSprop} (lr 1e-2, alpha, eps, weight_decay, momentum, centered),
 * {@code Adagrad} (lr 1e-2, lr_decay, weight_decay, initial_accumulator_value, eps). A {@code torch.optim.} prefix
 * on the name is accepted.
 *
 * <p>Every mistake throws {@link IllegalArgumentException} before the optimizer exists, naming the optimizer, the
 * key and the value: an unknown name or key (with the closest accepted one), a wrong type, a value PyTorch rejects.
 */
public final class OptimizerFactory {
    private static final Set<String> NAMES = new TreeSet<>(List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"));

    private OptimizerFactory() {
    }

    /** Every optimizer name {@link #create} accepts. */
    public static Set<String> names() {
        return NAMES;
    }

    /**
     * The optimizer {@code config} describes, over one param group holding {@code params}.
     *
     * @throws IllegalArgumentException on any configuration mistake (see the class documentation)
     */
    public static Optimizer create(Iterable<Tensor> params, Map<String, ?> config) {
        return create(params, config, "");
    }

    /** {@link #create(Iterable, Map)} over a module's {@code parameters()}. */
    public static Optimizer create(TensorVector params, Map<String, ?> config) {
        return create(list(params), config, "");
    }

    // TensorVector.get is by reference: owned handles, so the vector may be freed
    static List<Tensor> list(TensorVector params) {
        Objects.requireNonNull(params, "params");
        List<Tensor> out = new java.util.ArrayList<>();
        for (long i = 0; i < params.size(); i++) {
            out.add(new Tensor(params.get(i)));
        }
        return out;
    }

    /** {@link #create(Iterable, Map)} with {@code context} (e.g. {@code optimizer.init_args}) in front of messages. */
    public static Optimizer create(Iterable<Tensor> params, Map<String, ?> config, String context) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(config, "config");
        String prefix = context.isEmpty() ? "" : context + ": ";
        Object raw = config.get("name");
        if (!(raw instanceof String)) {
            throw new IllegalArgumentException(prefix + "optimizer config needs a \"name\" with the class name, got "
                    + (raw == null ? "none" : Checks.format(raw)) + "; accepted names: " + String.join(", ", NAMES));
        }
        String name = simpleName((String) raw);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(prefix + "unknown optimizer name '" + raw + "'; "
                    + Suggestions.closest(name, NAMES).map(s -> "did you mean '" + s + "'? ").orElse("")
                    + "accepted names: " + String.join(", ", NAMES));
        }
        SchedulerConfig c = new SchedulerConfig(config, name, context.isEmpty() ? name : context + " (" + name + ")");
        switch (name) {
            case "SGD": {
                c.expectKeys("lr", "momentum", "dampening", "weight_decay", "nesterov");
                Optimizers.Builder<?> b = Optimizers.sgd(c.optDouble("lr", 1e-3));
                c.optDouble("momentum").ifPresent(b::momentum);
                c.optDouble("dampening").ifPresent(b::dampening);
                c.optDouble("weight_decay").ifPresent(b::weightDecay);
                if (c.has("nesterov")) {
                    b.nesterov(c.optBool("nesterov", false));
                }
                return build(b, params, c);
            }
            case "Adam":
            case "AdamW": {
                c.expectKeys("lr", "betas", "eps", "weight_decay", "amsgrad");
                double lr = c.optDouble("lr", 1e-3);
                Optimizers.Builder<?> b = "Adam".equals(name) ? Optimizers.adam(lr) : Optimizers.adamW(lr);
                if (c.has("betas")) {
                    List<Double> betas = c.requireDoubleList("betas");
                    if (betas.size() != 2) {
                        throw c.invalid("betas", "a list of two numbers [beta1, beta2]");
                    }
                    b.betas(betas.get(0), betas.get(1));
                }
                c.optDouble("eps").ifPresent(b::eps);
                c.optDouble("weight_decay").ifPresent(b::weightDecay);
                if (c.has("amsgrad")) {
                    b.amsgrad(c.optBool("amsgrad", false));
                }
                return build(b, params, c);
            }
            case "RMSprop": {
                c.expectKeys("lr", "alpha", "eps", "weight_decay", "momentum", "centered");
                Optimizers.Builder<?> b = Optimizers.rmsprop(c.optDouble("lr", 1e-2));
                c.optDouble("alpha").ifPresent(b::alpha);
                c.optDouble("eps").ifPresent(b::eps);
                c.optDouble("weight_decay").ifPresent(b::weightDecay);
                c.optDouble("momentum").ifPresent(b::momentum);
                if (c.has("centered")) {
                    b.centered(c.optBool("centered", false));
                }
                return build(b, params, c);
            }
            default: {
                c.expectKeys("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
                Optimizers.Builder<?> b = Optimizers.adagrad(c.optDouble("lr", 1e-2));
                c.optDouble("lr_decay").ifPresent(b::lrDecay);
                c.optDouble("weight_decay").ifPresent(b::weightDecay);
                c.optDouble("initial_accumulator_value").ifPresent(b::initialAccumulatorValue);
                c.optDouble("eps").ifPresent(b::eps);
                return build(b, params, c);
            }
        }
    }

    /** {@code torch.optim.AdamW} and {@code AdamW} name the same class. */
    static String simpleName(String name) {
        return name.startsWith("torch.optim.") ? name.substring("torch.optim.".length()) : name;
    }

    private static Optimizer build(Optimizers.Builder<?> builder, Iterable<Tensor> params, SchedulerConfig c) {
        try {
            return builder.params(params).build();
        } catch (IllegalArgumentException e) {
            // the builder's message already starts with the optimizer's name; add only where the config sits
            if (c.where().equals(c.name())) {
                throw e;
            }
            throw new IllegalArgumentException(c.where() + ": " + e.getMessage(), e);
        }
    }
}
