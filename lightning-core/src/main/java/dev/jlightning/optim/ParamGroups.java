package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;

/**
 * A view of a LibTorch optimizer's parameter groups as PyTorch code sees {@code optimizer.param_groups}: per group
 * the learning rate, momentum (SGD and RMSprop {@code momentum}, Adam and AdamW {@code betas[0]}), {@code betas[1]},
 * weight decay, and the entries LibTorch has no slot for ({@code initial_lr}, a group {@code name}, and the
 * scheduler bookkeeping such as OneCycleLR's {@code max_lr}).
 *
 * <p>Counterpart of the dicts in PyTorch's {@code Optimizer.param_groups}. Works on the bytedeco {@code SGD},
 * {@code Adam}, {@code AdamW}, {@code RMSprop}, {@code Adagrad} and (learning rate only) {@code LBFGS}
 * optimizers; the type is taken from the Java class once, and every typed option access goes through it, because
 * JavaCPP's option casts are unchecked.
 *
 * <p>The optimizer's group vector is kept (a member of the optimizer, by reference), and wrappers of its elements
 * for as long as the group count stays the same (the vector's storage only moves when a group is added); every call
 * asks for the groups' options afresh, so groups added later and options replaced by {@code Optimizer.load} are
 * always seen. The entries LibTorch cannot hold live in a JVM-wide registry keyed by the optimizer object (see
 * {@link #extrasStateDict()} for checkpoints). Not thread-safe with respect to concurrent optimizer mutation, like
 * the optimizer itself.
 */
public final class ParamGroups {
    /** PyTorch's param-group key for the learning rate a scheduler started from. */
    public static final String INITIAL_LR = "initial_lr";
    /** Lightning's param-group key for a group's display name. */
    public static final String NAME = "name";

    private final Optimizer optimizer;
    private final OptimizerKind kind;
    private final ParamGroupExtras extras;

    /**
     * The optimizer's own {@code std::vector} of groups, by reference: it is a member of the optimizer, so its address
     * lives as long as the optimizer, and asking for it once saves a wrapper per call on the per-step path.
     */
    private final OptimizerParamGroupVector groups;

    /**
     * Wrappers of the vector's elements for the per-step reads and writes of {@link #lrs()} and {@link #setLrs}.
     * They point into the vector's storage, which moves only when a group is added, so they are rebuilt whenever
     * the group count differs from theirs. The options each group points to are asked for afresh on every call:
     * {@code Optimizer.load} replaces them.
     */
    private OptimizerParamGroup[] elements = new OptimizerParamGroup[0];

    /**
     * The groups' options while a scheduler updates the learning rates ({@link #holdOptions()}): its
     * {@code get_lr} reads them and the update writes them back, and no code that could replace them
     * ({@code Optimizer.load}) runs in between. Emptied when the update ends, so that no wrapper outlives its
     * options; the array is reused so that holding allocates nothing.
     */
    private OptimizerOptions[] heldOptions = new OptimizerOptions[0];
    private boolean holding;

    private ParamGroups(Optimizer optimizer, OptimizerKind kind) {
        this.optimizer = optimizer;
        this.kind = kind;
        this.extras = ParamGroupExtras.of(optimizer);
        this.groups = optimizer.param_groups();
    }

    /**
     * The view of {@code optimizer}'s groups.
     *
     * @throws IllegalArgumentException if the optimizer's class is not one JLightning knows
     */
    public static ParamGroups of(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        return new ParamGroups(optimizer, OptimizerKind.of(optimizer));
    }

    /** The optimizer this view reads and writes. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** PyTorch's class name of the optimizer: "SGD", "Adam", "AdamW", "RMSprop", "Adagrad" or "LBFGS". */
    public String optimizerName() {
        return kind.torchName();
    }

    /** The number of parameter groups now. */
    public int size() {
        return Math.toIntExact(groups.size());
    }

    /** Group {@code group}'s learning rate, PyTorch's {@code param_groups[group]["lr"]}. */
    public double lr(int group) {
        return options(group).get_lr();
    }

    /** Sets group {@code group}'s learning rate and nothing else. */
    public void setLr(int group, double lr) {
        options(group).set_lr(lr);
    }

    /** Every group's learning rate, in group order. */
    public double[] lrs() {
        OptimizerParamGroup[] current = elements();
        double[] lrs = new double[current.length];
        for (int i = 0; i < current.length; i++) {
            lrs[i] = options(current, i).get_lr();
        }
        return lrs;
    }

    /**
     * Sets the learning rates of the first {@code min(lrs.length, size())} groups, as PyTorch's
     * {@code zip(param_groups, values)} does.
     *
     * @return the number of groups the optimizer has
     */
    public int setLrs(double[] lrs) {
        OptimizerParamGroup[] current = elements();
        int n = Math.min(lrs.length, current.length);
        for (int i = 0; i < n; i++) {
            options(current, i).set_lr(lrs[i]);
        }
        return current.length;
    }

    /**
     * Keeps the options wrappers that {@link #lrs()} and {@link #setLrs} ask for until {@link #releaseOptions()}, so
     * a scheduler's read-then-write of one update asks LibTorch for each group's options once. Only for the span of
     * one update, inside which nothing replaces the options.
     */
    void holdOptions() {
        holding = true;
    }

    /** Ends {@link #holdOptions()}. */
    void releaseOptions() {
        holding = false;
        java.util.Arrays.fill(heldOptions, null);
    }

    private OptimizerOptions options(OptimizerParamGroup[] current, int i) {
        if (!holding) {
            return current[i].options();
        }
        if (heldOptions.length != current.length) {
            heldOptions = new OptimizerOptions[current.length];
        }
        OptimizerOptions o = heldOptions[i];
        if (o == null) {
            o = current[i].options();
            heldOptions[i] = o;
        }
        return o;
    }

    private OptimizerParamGroup[] elements() {
        int n = Math.toIntExact(groups.size());
        if (n != elements.length) {
            OptimizerParamGroup[] fresh = new OptimizerParamGroup[n];
            for (int i = 0; i < n; i++) {
                fresh[i] = groups.get(i);
            }
            elements = fresh;
        }
        return elements;
    }

    /**
     * Sets the momentum (or beta1) of the first {@code min(momenta.length, size())} groups in one pass.
     *
     * @throws UnsupportedOperationException for optimizers with neither momentum nor betas
     */
    public void setMomenta(double[] momenta) {
        if (!hasMomentum() && !hasBetas()) {
            throw new UnsupportedOperationException(optimizerName() + " has neither momentum nor betas");
        }
        OptimizerParamGroupVector vector = groups;
        int n = Math.min(momenta.length, Math.toIntExact(vector.size()));
        for (int i = 0; i < n; i++) {
            kind.setMomentum(vector.get(i).options(), momenta[i]);
        }
    }

    /** Whether the groups have a {@code momentum} entry (SGD, RMSprop): PyTorch's {@code "momentum" in defaults}. */
    public boolean hasMomentum() {
        return kind.hasMomentum();
    }

    /** Whether the groups have {@code betas} (Adam, AdamW): PyTorch's {@code "betas" in defaults}. */
    public boolean hasBetas() {
        return kind.hasBetas();
    }

    /**
     * The value momentum-cycling schedulers drive: SGD/RMSprop {@code momentum} or Adam/AdamW {@code betas[0]};
     * empty for optimizers with neither.
     */
    public OptionalDouble momentum(int group) {
        if (!hasMomentum() && !hasBetas()) {
            checkIndex(group);
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(kind.momentum(options(group)));
    }

    /**
     * Sets SGD/RMSprop {@code momentum} or Adam/AdamW {@code betas[0]}, leaving {@code betas[1]} alone (PyTorch:
     * {@code group["betas"] = (m, *group["betas"][1:])}).
     *
     * @throws UnsupportedOperationException for optimizers with neither
     */
    public void setMomentum(int group, double momentum) {
        if (!hasMomentum() && !hasBetas()) {
            throw new UnsupportedOperationException(optimizerName() + " has neither momentum nor betas");
        }
        kind.setMomentum(options(group), momentum);
    }

    /** Adam/AdamW {@code betas[1]}; empty for other optimizers. */
    public OptionalDouble beta2(int group) {
        if (!hasBetas()) {
            checkIndex(group);
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(kind.beta2(options(group)));
    }

    /**
     * Sets Adam/AdamW {@code betas[1]}.
     *
     * @throws UnsupportedOperationException for optimizers without betas
     */
    public void setBeta2(int group, double beta2) {
        if (!hasBetas()) {
            throw new UnsupportedOperationException(optimizerName() + " has no betas");
        }
        kind.setBeta2(options(group), beta2);
    }

    /** Whether the groups have {@code weight_decay} (every supported optimizer but LBFGS). */
    public boolean hasWeightDecay() {
        return kind.hasWeightDecay();
    }

    /**
     * Group {@code group}'s {@code weight_decay}.
     *
     * @throws UnsupportedOperationException for LBFGS, which has none
     */
    public double weightDecay(int group) {
        if (!hasWeightDecay()) {
            throw new UnsupportedOperationException(optimizerName() + " has no weight_decay");
        }
        return kind.weightDecay(options(group));
    }

    /** Sets group {@code group}'s {@code weight_decay}. */
    public void setWeightDecay(int group, double weightDecay) {
        if (!hasWeightDecay()) {
            throw new UnsupportedOperationException(optimizerName() + " has no weight_decay");
        }
        kind.setWeightDecay(options(group), weightDecay);
    }

    /** The group's name, Lightning's {@code {"params": ..., "name": "weights"}}; empty when unnamed. */
    public Optional<String> name(int group) {
        checkIndex(group);
        Object value = extras.get(group, NAME);
        return value instanceof String ? Optional.of((String) value) : Optional.empty();
    }

    /** Names group {@code group}. */
    public void setName(int group, String name) {
        Objects.requireNonNull(name, "name");
        checkIndex(group);
        extras.put(group, NAME, name);
    }

    /** PyTorch's {@code param_groups[group]["initial_lr"]}: empty until a scheduler (or a checkpoint) sets it. */
    public OptionalDouble initialLr(int group) {
        return extra(group, INITIAL_LR);
    }

    /** Sets {@code initial_lr}, as a scheduler created with {@code last_epoch == -1} does. */
    public void setInitialLr(int group, double initialLr) {
        setExtra(group, INITIAL_LR, initialLr);
    }

    /**
     * A numeric param-group entry that LibTorch has no option for, by PyTorch's key ({@code "initial_lr"},
     * {@code "max_lr"}, {@code "min_lr"}, {@code "max_momentum"}, {@code "base_momentum"}, ...).
     */
    public OptionalDouble extra(int group, String key) {
        Objects.requireNonNull(key, "key");
        checkIndex(group);
        Object value = extras.get(group, key);
        return value instanceof Number ? OptionalDouble.of(((Number) value).doubleValue()) : OptionalDouble.empty();
    }

    /** {@link #extra} without the group-index check, for schedulers looping over groups they just counted. */
    OptionalDouble extraUnchecked(int group, String key) {
        Object value = extras.get(group, key);
        return value instanceof Number ? OptionalDouble.of(((Number) value).doubleValue()) : OptionalDouble.empty();
    }

    /** Sets a numeric param-group entry that LibTorch has no option for. */
    public void setExtra(int group, String key, double value) {
        Objects.requireNonNull(key, "key");
        checkIndex(group);
        extras.put(group, key, value);
    }

    /** Removes a param-group entry that LibTorch has no option for (PyTorch: {@code del group[key]}). */
    public void removeExtra(int group, String key) {
        Objects.requireNonNull(key, "key");
        checkIndex(group);
        extras.remove(group, key);
    }

    /**
     * The entries LibTorch's archive cannot hold, as plain JSON data: {@code {"param_groups": [{"initial_lr": 0.1,
     * "name": "weights"}, ...]}}. PyTorch stores them inside {@code optimizer.state_dict()["param_groups"]}; a
     * JLightning checkpoint saves this map next to the LibTorch optimizer archive and restores both.
     */
    public Map<String, Object> extrasStateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("param_groups", new ArrayList<>(extras.snapshot()));
        return state;
    }

    /**
     * Restores what {@link #extrasStateDict()} saved, replacing every entry held for this optimizer.
     *
     * @throws IllegalArgumentException if the map is not of that shape
     */
    public void loadExtrasStateDict(Map<String, ?> state) {
        extras.replaceAll(parseExtras(state));
    }

    /**
     * Checks that {@link #loadExtrasStateDict} would accept {@code state}, changing nothing.
     *
     * @throws IllegalArgumentException naming the offending group and key
     */
    public void checkExtrasStateDict(Map<String, ?> state) {
        parseExtras(state);
    }

    private List<Map<String, Object>> parseExtras(Map<String, ?> state) {
        Objects.requireNonNull(state, "state");
        Object groups = state.get("param_groups");
        if (!(groups instanceof List)) {
            throw new IllegalArgumentException("param-group extras state: key 'param_groups' must be a list of maps,"
                    + " got " + describe(groups));
        }
        List<Map<String, Object>> restored = new ArrayList<>();
        int index = 0;
        for (Object group : (List<?>) groups) {
            if (!(group instanceof Map)) {
                throw new IllegalArgumentException("param-group extras state: param_groups[" + index
                        + "] must be a map, got " + describe(group));
            }
            Map<String, Object> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) group).entrySet()) {
                Object value = e.getValue();
                if (!(e.getKey() instanceof String) || !(value instanceof Number || value instanceof String)) {
                    throw new IllegalArgumentException("param-group extras state: param_groups[" + index + "]["
                            + e.getKey() + "] must be a number or a string, got " + describe(value));
                }
                // learning rates and momenta are numbers the schedulers compute with; only a group's name is text
                if (NUMERIC_EXTRAS.contains(e.getKey())
                        && !(value instanceof Number n && Double.isFinite(n.doubleValue()))) {
                    throw new IllegalArgumentException("param-group extras state: param_groups[" + index + "]["
                            + e.getKey() + "] must be a finite number, got " + describe(value));
                }
                entries.put((String) e.getKey(), value instanceof Number ? ((Number) value).doubleValue() : value);
            }
            restored.add(entries);
            index++;
        }
        if (restored.size() > size()) {
            throw new IllegalArgumentException("param-group extras state: holds " + restored.size()
                    + " param group(s), but " + optimizerName() + " has " + size());
        }
        return restored;
    }

    private static final java.util.Set<String> NUMERIC_EXTRAS = java.util.Set.of("initial_lr", "max_lr", "min_lr",
            "base_momentum", "max_momentum");

    @Override
    public String toString() {
        return "ParamGroups[" + optimizerName() + ", " + size() + " groups]";
    }

    private OptimizerOptions options(int group) {
        OptimizerParamGroup[] current = elements();
        if (group < 0 || group >= current.length) {
            throw new IndexOutOfBoundsException("param group " + group + " does not exist: " + optimizerName()
                    + " has " + current.length + " groups");
        }
        return options(current, group);
    }

    private void checkIndex(int group) {
        int n = size();
        if (group < 0 || group >= n) {
            throw new IndexOutOfBoundsException("param group " + group + " does not exist: " + optimizerName()
                    + " has " + n + " groups");
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }
}
