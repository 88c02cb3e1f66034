package dev.jlightning.checkpoint;

import dev.jlightning.io.RestrictedUnpickler.PickledTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.bytedeco.pytorch.Optimizer;

/**
 * Checks, in Java, that an optimizer's state in a checkpoint's tensor archive fits the live optimizer before
 * LibTorch's {@code optimizer.load} reads it: as many param groups and parameters as the optimizer has, parameter
 * keys LibTorch can parse, finite option values, and per-parameter buffers ({@code momentum_buffer},
 * {@code exp_avg} ...) of their parameter's shape.
 *
 * <p>LibTorch's {@code torch::optim::serialize} trusts the archive: a group counter that disagrees with the optimizer
 * fails half-way through the groups (after the first ones were replaced), and a buffer of the wrong shape is accepted
 * and only breaks the first optimizer step. PyTorch's {@code Optimizer.load_state_dict} checks the group and
 * parameter counts; we check those and the shapes.
 */
final class OptimizerArchiveCheck {

    /** The per-parameter buffers of LibTorch's optimizers, each shaped like its parameter. */
    private static final Set<String> PER_PARAMETER = Set.of("momentum_buffer", "exp_avg", "exp_avg_sq",
            "max_exp_avg_sq", "square_avg", "grad_avg", "acc_delta", "sum");

    private OptimizerArchiveCheck() {
    }

    /** Returns what does not fit, or an empty string. */
    static String check(Checkpoint checkpoint, int index, Optimizer optimizer) {
        ArchiveInspector.Contents contents = checkpoint.contents();
        String where = "optimizer " + index + "'s archived state";
        if (!(contents.data() instanceof Map<?, ?> root)
                || !(root.get("optimizer_states/" + index) instanceof Map<?, ?> archived)) {
            return where + " is missing";
        }
        if (!(archived.get("param_groups") instanceof Map<?, ?> groups)
                || !(archived.get("state") instanceof Map<?, ?> state)) {
            return where + " lacks its param groups or state";
        }
        Map<String, Object> live = TensorStates.optimizerManifest(optimizer);
        List<?> liveGroups = (List<?>) live.get("param_groups");
        OptionalLong groupCount = contents.longValue(groups.get("param_groups/size"));
        if (groupCount.isEmpty() || groupCount.getAsLong() != liveGroups.size()) {
            return where + " counts " + describe(groupCount) + " param groups, the optimizer has " + liveGroups.size();
        }
        Map<String, Object> shapeOfKey = new HashMap<>();
        for (int g = 0; g < liveGroups.size(); g++) {
            List<?> shapes = (List<?>) ((Map<?, ?>) liveGroups.get(g)).get("param_shapes");
            if (!(groups.get("param_groups/" + g) instanceof Map<?, ?> group)) {
                return where + " lacks param group " + g;
            }
            OptionalLong paramCount = contents.longValue(group.get("params/size"));
            if (paramCount.isEmpty() || paramCount.getAsLong() != shapes.size()) {
                return where + ": param group " + g + " counts " + describe(paramCount) + " parameters, the optimizer's"
                        + " has " + shapes.size();
            }
            for (int p = 0; p < shapes.size(); p++) {
                Object key = group.get("params/" + p);
                // LibTorch parses each key with std::stoull
                if (!(key instanceof String k) || !k.matches("[0-9]{1,19}")) {
                    return where + ": param group " + g + " names parameter " + p + " " + key;
                }
                shapeOfKey.put(k, shapes.get(p));
            }
            if (group.get("options") instanceof Map<?, ?> options) {
                for (Map.Entry<?, ?> o : options.entrySet()) {
                    if (o.getValue() instanceof Double d && !Double.isFinite(d)) {
                        return where + ": param group " + g + " has " + o.getKey() + "=" + d;
                    }
                }
            } else {
                return where + ": param group " + g + " has no options";
            }
        }
        for (Map.Entry<?, ?> e : state.entrySet()) {
            Object shape = shapeOfKey.get(String.valueOf(e.getKey()));
            if (shape == null || !(e.getValue() instanceof Map<?, ?> buffers)) {
                return where + " holds state for a parameter " + e.getKey() + " that no param group lists";
            }
            for (Map.Entry<?, ?> b : buffers.entrySet()) {
                if (PER_PARAMETER.contains(String.valueOf(b.getKey())) && b.getValue() instanceof PickledTensor t
                        && !TensorStates.shapeList(t.shape()).equals(shape)) {
                    return where + ": " + b.getKey() + " has shape " + TensorStates.shapeList(t.shape())
                            + " for a parameter of shape " + shape;
                }
            }
        }
        return "";
    }

    private static String describe(OptionalLong v) {
        return v.isPresent() ? String.valueOf(v.getAsLong()) : "an unreadable number of";
    }

    static List<String> checkAll(Checkpoint checkpoint, List<Optimizer> optimizers) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < optimizers.size(); i++) {
            String p = check(checkpoint, i, optimizers.get(i));
            if (!p.isEmpty()) {
                problems.add(p);
            }
        }
        return problems;
    }
}
