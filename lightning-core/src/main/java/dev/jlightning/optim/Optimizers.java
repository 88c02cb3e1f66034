package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.AdagradOptions;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.RMSprop;
import org.bytedeco.pytorch.RMSpropOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Builds bytedeco LibTorch optimizers with several named parameter groups, each with its own options, the way
 * PyTorch code passes {@code [{"params": ..., "lr": 0.01, "name": "weights"}, {"params": ...}]}:
 * <pre>{@code
 * SGD sgd = Optimizers.sgd(0.1).momentum(0.9)
 *         .group("weights", weightTensors, g -> g.lr(0.01))
 *         .group("bias", biasTensors)
 *         .build();
 * }</pre>
 * Counterpart of the constructors of {@code torch.optim.SGD}, {@code Adam}, {@code AdamW}, {@code RMSprop} and
 * {@code Adagrad} with a list of param-group dicts. Values are checked with PyTorch's rules and messages before
 * anything reaches LibTorch; options that the optimizer does not have (betas on SGD) are rejected.
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** {@code torch.optim.SGD(params, lr)}. */
    public static Builder<SGD> sgd(double lr) {
        return new Builder<>(OptimizerKind.SGD_KIND, lr);
    }

    /** {@code torch.optim.Adam(params)} with lr 1e-3. */
    public static Builder<Adam> adam() {
        return adam(1e-3);
    }

    /** {@code torch.optim.Adam(params, lr)}. */
    public static Builder<Adam> adam(double lr) {
        return new Builder<>(OptimizerKind.ADAM_KIND, lr);
    }

    /** {@code torch.optim.AdamW(params)} with lr 1e-3 (and PyTorch's weight_decay 1e-2). */
    public static Builder<AdamW> adamW() {
        return adamW(1e-3);
    }

    /** {@code torch.optim.AdamW(params, lr)}. */
    public static Builder<AdamW> adamW(double lr) {
        return new Builder<>(OptimizerKind.ADAMW_KIND, lr);
    }

    /** {@code torch.optim.RMSprop(params)} with lr 1e-2. */
    public static Builder<RMSprop> rmsprop() {
        return rmsprop(1e-2);
    }

    /** {@code torch.optim.RMSprop(params, lr)}. */
    public static Builder<RMSprop> rmsprop(double lr) {
        return new Builder<>(OptimizerKind.RMSPROP_KIND, lr);
    }

    /** {@code torch.optim.Adagrad(params)} with lr 1e-2. */
    public static Builder<Adagrad> adagrad() {
        return adagrad(1e-2);
    }

    /** {@code torch.optim.Adagrad(params, lr)}. */
    public static Builder<Adagrad> adagrad(double lr) {
        return new Builder<>(OptimizerKind.ADAGRAD_KIND, lr);
    }

    /**
     * Options of one param group (or the defaults), by PyTorch's keyword names; unset options take the optimizer's
     * defaults.
     */
    public static final class GroupOptions {
        private Double lr;
        private Double momentum;
        private Double dampening;
        private Boolean nesterov;
        private Double weightDecay;
        private Double beta1;
        private Double beta2;
        private Double eps;
        private Boolean amsgrad;
        private Double alpha;
        private Boolean centered;
        private Double lrDecay;
        private Double initialAccumulatorValue;

        GroupOptions() {
        }

        /** {@code lr}. */
        public GroupOptions lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** {@code momentum} (SGD, RMSprop). */
        public GroupOptions momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** {@code dampening} (SGD). */
        public GroupOptions dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** {@code nesterov} (SGD). */
        public GroupOptions nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** {@code weight_decay}. */
        public GroupOptions weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** {@code betas} (Adam, AdamW). */
        public GroupOptions betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** {@code eps} (Adam, AdamW, RMSprop, Adagrad). */
        public GroupOptions eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** {@code amsgrad} (Adam, AdamW). */
        public GroupOptions amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        /** {@code alpha} (RMSprop). */
        public GroupOptions alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** {@code centered} (RMSprop). */
        public GroupOptions centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        /** {@code lr_decay} (Adagrad). */
        public GroupOptions lrDecay(double lrDecay) {
            this.lrDecay = lrDecay;
            return this;
        }

        /** {@code initial_accumulator_value} (Adagrad). */
        public GroupOptions initialAccumulatorValue(double initialAccumulatorValue) {
            this.initialAccumulatorValue = initialAccumulatorValue;
            return this;
        }

        private List<String> setKeys() {
            List<String> keys = new ArrayList<>();
            addIf(keys, lr, "lr");
            addIf(keys, momentum, "momentum");
            addIf(keys, dampening, "dampening");
            addIf(keys, nesterov, "nesterov");
            addIf(keys, weightDecay, "weight_decay");
            addIf(keys, beta1, "betas");
            addIf(keys, eps, "eps");
            addIf(keys, amsgrad, "amsgrad");
            addIf(keys, alpha, "alpha");
            addIf(keys, centered, "centered");
            addIf(keys, lrDecay, "lr_decay");
            addIf(keys, initialAccumulatorValue, "initial_accumulator_value");
            return keys;
        }

        private static void addIf(List<String> keys, Object value, String key) {
            if (value != null) {
                keys.add(key);
            }
        }

        /** These options over {@code defaults}: a group's value wins where it has one. */
        private GroupOptions over(GroupOptions defaults) {
            GroupOptions merged = new GroupOptions();
            merged.lr = pick(lr, defaults.lr);
            merged.momentum = pick(momentum, defaults.momentum);
            merged.dampening = pick(dampening, defaults.dampening);
            merged.nesterov = pick(nesterov, defaults.nesterov);
            merged.weightDecay = pick(weightDecay, defaults.weightDecay);
            merged.beta1 = pick(beta1, defaults.beta1);
            merged.beta2 = pick(beta2, defaults.beta2);
            merged.eps = pick(eps, defaults.eps);
            merged.amsgrad = pick(amsgrad, defaults.amsgrad);
            merged.alpha = pick(alpha, defaults.alpha);
            merged.centered = pick(centered, defaults.centered);
            merged.lrDecay = pick(lrDecay, defaults.lrDecay);
            merged.initialAccumulatorValue = pick(initialAccumulatorValue, defaults.initialAccumulatorValue);
            return merged;
        }

        private static <T> T pick(T mine, T fallback) {
            return mine != null ? mine : fallback;
        }
    }

    /** A parameter group to be: its tensors, optional name and options. */
    private static final class GroupSpec {
        final Optional<String> name;
        final List<Tensor> params;
        final GroupOptions options;

        GroupSpec(Optional<String> name, List<Tensor> params, GroupOptions options) {
            this.name = name;
            this.params = params;
            this.options = options;
        }
    }

    /**
     * Builder of one optimizer: defaults first ({@code momentum(0.9)}), then groups in order.
     *
     * @param <O> the bytedeco optimizer class built
     */
    public static final class Builder<O extends Optimizer> {
        private final OptimizerKind kind;
        private final GroupOptions defaults = new GroupOptions();
        private final List<GroupSpec> groups = new ArrayList<>();

        private Builder(OptimizerKind kind, double lr) {
            this.kind = kind;
            defaults.lr(lr);
        }

        /** Default {@code momentum} (SGD, RMSprop). */
        public Builder<O> momentum(double momentum) {
            defaults.momentum(momentum);
            return this;
        }

        /** Default {@code dampening} (SGD). */
        public Builder<O> dampening(double dampening) {
            defaults.dampening(dampening);
            return this;
        }

        /** Default {@code nesterov} (SGD). */
        public Builder<O> nesterov(boolean nesterov) {
            defaults.nesterov(nesterov);
            return this;
        }

        /** Default {@code weight_decay}. */
        public Builder<O> weightDecay(double weightDecay) {
            defaults.weightDecay(weightDecay);
            return this;
        }

        /** Default {@code betas} (Adam, AdamW). */
        public Builder<O> betas(double beta1, double beta2) {
            defaults.betas(beta1, beta2);
            return this;
        }

        /** Default {@code eps} (Adam, AdamW, RMSprop, Adagrad). */
        public Builder<O> eps(double eps) {
            defaults.eps(eps);
            return this;
        }

        /** Default {@code amsgrad} (Adam, AdamW). */
        public Builder<O> amsgrad(boolean amsgrad) {
            defaults.amsgrad(amsgrad);
            return this;
        }

        /** Default {@code alpha} (RMSprop). */
        public Builder<O> alpha(double alpha) {
            defaults.alpha(alpha);
            return this;
        }

        /** Default {@code centered} (RMSprop). */
        public Builder<O> centered(boolean centered) {
            defaults.centered(centered);
            return this;
        }

        /** Default {@code lr_decay} (Adagrad). */
        public Builder<O> lrDecay(double lrDecay) {
            defaults.lrDecay(lrDecay);
            return this;
        }

        /** Default {@code initial_accumulator_value} (Adagrad). */
        public Builder<O> initialAccumulatorValue(double value) {
            defaults.initialAccumulatorValue(value);
            return this;
        }

        /** An unnamed group with the default options. The tensors are copied out of the vector. */
        public Builder<O> params(TensorVector params) {
            return addGroup(Optional.empty(), copy(params), g -> { });
        }

        /** An unnamed group with the default options. */
        public Builder<O> params(Iterable<Tensor> params) {
            return addGroup(Optional.empty(), copy(params), g -> { });
        }

        /** A named group with the default options. */
        public Builder<O> group(String name, TensorVector params) {
            return addGroup(Optional.of(name), copy(params), g -> { });
        }

        /** A named group with the default options. */
        public Builder<O> group(String name, Iterable<Tensor> params) {
            return addGroup(Optional.of(name), copy(params), g -> { });
        }

        /** A named group whose options {@code options} overrides. */
        public Builder<O> group(String name, TensorVector params, Consumer<GroupOptions> options) {
            return addGroup(Optional.of(name), copy(params), options);
        }

        /** A named group whose options {@code options} overrides. */
        public Builder<O> group(String name, Iterable<Tensor> params, Consumer<GroupOptions> options) {
            return addGroup(Optional.of(name), copy(params), options);
        }

        /** An unnamed group whose options {@code options} overrides. */
        public Builder<O> group(TensorVector params, Consumer<GroupOptions> options) {
            return addGroup(Optional.empty(), copy(params), options);
        }

        /** An unnamed group whose options {@code options} overrides. */
        public Builder<O> group(Iterable<Tensor> params, Consumer<GroupOptions> options) {
            return addGroup(Optional.empty(), copy(params), options);
        }

        private Builder<O> addGroup(Optional<String> name, List<Tensor> params, Consumer<GroupOptions> options) {
            name.ifPresent(n -> Objects.requireNonNull(n, "name"));
            Objects.requireNonNull(options, "options");
            GroupOptions g = new GroupOptions();
            options.accept(g);
            groups.add(new GroupSpec(name, params, g));
            return this;
        }

        // TensorVector.get is by reference: copy each tensor into an owned handle so the vector may be freed
        private static List<Tensor> copy(TensorVector params) {
            Objects.requireNonNull(params, "params");
            List<Tensor> list = new ArrayList<>();
            for (long i = 0; i < params.size(); i++) {
                list.add(new Tensor(params.get(i)));
            }
            return list;
        }

        private static List<Tensor> copy(Iterable<Tensor> params) {
            Objects.requireNonNull(params, "params");
            List<Tensor> list = new ArrayList<>();
            for (Tensor t : params) {
                list.add(new Tensor(Objects.requireNonNull(t, "params contains null")));
            }
            return list;
        }

        /**
         * The optimizer, with one LibTorch param group per {@code group}/{@code params} call, in order.
         *
         * @throws IllegalArgumentException with PyTorch's message on an invalid value, an option the optimizer does
         *     not have, no groups, an empty group, a non-leaf or undefined tensor, or a tensor in two groups
         */
        @SuppressWarnings("unchecked")
        public O build() {
            String owner = kind.torchName();
            if (groups.isEmpty()) {
                throw new IllegalArgumentException(owner + ": optimizer got an empty parameter list; add params(...)"
                        + " or group(...)");
            }
            checkKeys("defaults", defaults);
            validate(owner, "defaults", defaults);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < groups.size(); i++) {
                GroupSpec spec = groups.get(i);
                String where = "param group " + i + spec.name.map(n -> " ('" + n + "')").orElse("");
                checkKeys(where, spec.options);
                validate(owner, where, spec.options.over(defaults));
                if (spec.params.isEmpty()) {
                    throw new IllegalArgumentException(owner + ": " + where + " has no parameters");
                }
                for (Tensor t : spec.params) {
                    if (!t.defined()) {
                        throw new IllegalArgumentException(owner + ": " + where + " holds an undefined tensor");
                    }
                    if (!t.is_leaf()) {
                        throw new IllegalArgumentException(owner + ": " + where + ": can't optimize a non-leaf Tensor");
                    }
                    if (!seen.add(t.unsafeGetTensorImpl().address())) {
                        throw new IllegalArgumentException(owner + ": " + where + ": some parameters appear in more"
                                + " than one parameter group");
                    }
                }
            }
            O optimizer = (O) create(groups.get(0).params);
            for (int i = 1; i < groups.size(); i++) {
                try (TensorVector vector = new TensorVector(groups.get(i).params.toArray(new Tensor[0]));
                        OptimizerParamGroup group = new OptimizerParamGroup(vector)) {
                    // without options of its own the group gets a clone of the defaults, as PyTorch's setdefault
                    optimizer.add_param_group(group);
                }
            }
            ParamGroups view = ParamGroups.of(optimizer);
            for (int i = 0; i < groups.size(); i++) {
                GroupSpec spec = groups.get(i);
                apply(optimizer.param_groups().get(i).options(), spec.options);
                int index = i;
                spec.name.ifPresent(n -> view.setName(index, n));
            }
            return optimizer;
        }

        private Optimizer create(List<Tensor> firstParams) {
            try (TensorVector params = new TensorVector(firstParams.toArray(new Tensor[0]))) {
                double lr = defaults.lr;
                switch (kind) {
                    case SGD_KIND: {
                        try (SGDOptions o = new SGDOptions(lr)) {
                            apply(o, defaults);
                            return new SGD(params, o); // copies the options
                        }
                    }
                    case ADAM_KIND: {
                        try (AdamOptions o = new AdamOptions(lr)) {
                            apply(o, defaults);
                            return new Adam(params, o); // copies the options
                        }
                    }
                    case ADAMW_KIND: {
                        try (AdamWOptions o = new AdamWOptions(lr)) {
                            apply(o, defaults);
                            return new AdamW(params, o); // copies the options
                        }
                    }
                    case RMSPROP_KIND: {
                        try (RMSpropOptions o = new RMSpropOptions(lr)) {
                            apply(o, defaults);
                            return new RMSprop(params, o); // copies the options
                        }
                    }
                    case ADAGRAD_KIND: {
                        try (AdagradOptions o = new AdagradOptions(lr)) {
                            apply(o, defaults);
                            return new Adagrad(params, o); // copies the options
                        }
                    }
                    default:
                        throw new IllegalStateException("no builder for " + kind.torchName());
                }
            }
        }

        /** Writes the options that are set into a LibTorch options object of this builder's kind. */
        private void apply(OptimizerOptions target, GroupOptions g) {
            if (g.lr != null) {
                target.set_lr(g.lr);
            }
            switch (kind) {
                case SGD_KIND: {
                    SGDOptions o = new SGDOptions(target);
                    if (g.momentum != null) {
                        o.momentum().put(g.momentum);
                    }
                    if (g.dampening != null) {
                        o.dampening().put(g.dampening);
                    }
                    if (g.nesterov != null) {
                        o.nesterov().put(g.nesterov);
                    }
                    break;
                }
                case ADAM_KIND: {
                    AdamOptions o = new AdamOptions(target);
                    if (g.eps != null) {
                        o.eps().put(g.eps);
                    }
                    if (g.amsgrad != null) {
                        o.amsgrad().put(g.amsgrad);
                    }
                    break;
                }
                case ADAMW_KIND: {
                    AdamWOptions o = new AdamWOptions(target);
                    if (g.eps != null) {
                        o.eps().put(g.eps);
                    }
                    if (g.amsgrad != null) {
                        o.amsgrad().put(g.amsgrad);
                    }
                    break;
                }
                case RMSPROP_KIND: {
                    RMSpropOptions o = new RMSpropOptions(target);
                    if (g.momentum != null) {
                        o.momentum().put(g.momentum);
                    }
                    if (g.eps != null) {
                        o.eps().put(g.eps);
                    }
                    if (g.alpha != null) {
                        o.alpha().put(g.alpha);
                    }
                    if (g.centered != null) {
                        o.centered().put(g.centered);
                    }
                    break;
                }
                case ADAGRAD_KIND: {
                    AdagradOptions o = new AdagradOptions(target);
                    if (g.eps != null) {
                        o.eps().put(g.eps);
                    }
                    if (g.lrDecay != null) {
                        o.lr_decay().put(g.lrDecay);
                    }
                    if (g.initialAccumulatorValue != null) {
                        o.initial_accumulator_value().put(g.initialAccumulatorValue);
                    }
                    break;
                }
                default:
                    break;
            }
            if (g.weightDecay != null) {
                kind.setWeightDecay(target, g.weightDecay);
            }
            if (g.beta1 != null) {
                kind.setMomentum(target, g.beta1);
                kind.setBeta2(target, g.beta2);
            }
        }

        private void checkKeys(String where, GroupOptions g) {
            List<String> accepted = acceptedKeys();
            for (String key : g.setKeys()) {
                if (!accepted.contains(key)) {
                    throw new IllegalArgumentException(kind.torchName() + ": " + where + ": option '" + key
                            + "' does not exist for " + kind.torchName() + "; its options are " + accepted);
                }
            }
        }

        private List<String> acceptedKeys() {
            switch (kind) {
                case SGD_KIND:
                    return List.of("lr", "momentum", "dampening", "weight_decay", "nesterov");
                case ADAM_KIND:
                case ADAMW_KIND:
                    return List.of("lr", "betas", "eps", "weight_decay", "amsgrad");
                case RMSPROP_KIND:
                    return List.of("lr", "alpha", "eps", "weight_decay", "momentum", "centered");
                case ADAGRAD_KIND:
                    return List.of("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
                default:
                    return List.of("lr");
            }
        }

        /** PyTorch's constructor checks, with its messages, on the options a group will end up with. */
        private void validate(String owner, String where, GroupOptions g) {
            String prefix = owner + ": " + where + ": ";
            if (g.lr != null && !(g.lr >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid learning rate: " + g.lr + " (lr must be >= 0)");
            }
            if (g.momentum != null && !(g.momentum >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid momentum value: " + g.momentum
                        + " (momentum must be >= 0)");
            }
            if (g.weightDecay != null && !(g.weightDecay >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid weight_decay value: " + g.weightDecay
                        + " (weight_decay must be >= 0)");
            }
            if (g.eps != null && !(g.eps >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid epsilon value: " + g.eps + " (eps must be >= 0)");
            }
            if (g.beta1 != null) {
                if (!(g.beta1 >= 0.0 && g.beta1 < 1.0)) {
                    throw new IllegalArgumentException(prefix + "Invalid beta parameter at index 0: " + g.beta1
                            + " (betas must be in [0, 1))");
                }
                if (!(g.beta2 >= 0.0 && g.beta2 < 1.0)) {
                    throw new IllegalArgumentException(prefix + "Invalid beta parameter at index 1: " + g.beta2
                            + " (betas must be in [0, 1))");
                }
            }
            if (g.alpha != null && !(g.alpha >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid alpha value: " + g.alpha + " (alpha must be >= 0)");
            }
            if (g.lrDecay != null && !(g.lrDecay >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid lr_decay value: " + g.lrDecay
                        + " (lr_decay must be >= 0)");
            }
            if (g.initialAccumulatorValue != null && !(g.initialAccumulatorValue >= 0.0)) {
                throw new IllegalArgumentException(prefix + "Invalid initial_accumulator_value value: "
                        + g.initialAccumulatorValue + " (initial_accumulator_value must be >= 0)");
            }
            if (kind == OptimizerKind.SGD_KIND && Boolean.TRUE.equals(g.nesterov)) {
                double momentum = g.momentum == null ? 0.0 : g.momentum;
                double dampening = g.dampening == null ? 0.0 : g.dampening;
                if (momentum <= 0 || dampening != 0) {
                    throw new IllegalArgumentException(prefix + "Nesterov momentum requires a momentum and zero"
                            + " dampening (momentum=" + momentum + ", dampening=" + dampening + ")");
                }
            }
        }
    }
}
