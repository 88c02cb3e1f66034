package dev.jlightning.checkpoint;

import dev.jlightning.optim.ParamGroups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Describes a module's parameters and buffers and an optimizer's param groups as JSON manifests, and compares a
 * checkpoint's manifests with the live objects, so that a checkpoint from another model or another
 * {@code configureOptimizers} is refused with a list of what differs, before any tensor is read.
 */
final class TensorStates {

    private TensorStates() {
    }

    /** {@code {name: {"shape": [...], "dtype": "Float", "buffer": false}}} in the module's order. */
    static Map<String, Object> moduleManifest(Module module) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        try (StringTensorDict params = module.named_parameters(true); StringTensorDict buffers = module.named_buffers(true)) {
            describe(params, false, manifest);
            describe(buffers, true, manifest);
        }
        return manifest;
    }

    private static void describe(StringTensorDict dict, boolean buffer, Map<String, Object> into) {
        for (long i = 0; i < dict.size(); i++) {
            Tensor t = dict.get(i).value();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("shape", shapeList(t.shape()));
            entry.put("dtype", String.valueOf(t.scalar_type()));
            entry.put("buffer", buffer);
            into.put(dict.get(i).key().getString(), entry);
        }
    }

    static List<Object> shapeList(long[] shape) {
        List<Object> list = new ArrayList<>(shape.length);
        for (long d : shape) {
            list.add(d);
        }
        return list;
    }

    /**
     * Lists every difference between the checkpoint's manifest and the module's, Lightning's
     * {@code load_state_dict(strict=True)} report: missing keys, unexpected keys, size mismatches.
     *
     * @return an empty string when they match
     */
    static String compareModule(Map<String, Object> saved, Map<String, Object> live, String what) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (String name : live.keySet()) {
            if (!saved.containsKey(name)) {
                missing.add(name);
            }
        }
        for (Map.Entry<String, Object> e : saved.entrySet()) {
            Object mine = live.get(e.getKey());
            if (mine == null) {
                unexpected.add(e.getKey());
                continue;
            }
            Map<String, Object> s = CheckpointJson.toMap(e.getValue(), what + ": state_dict['" + e.getKey() + "']");
            Map<?, ?> m = (Map<?, ?>) mine;
            String savedShape = shapeText(s.get("shape"));
            String liveShape = shapeText(m.get("shape"));
            if (!savedShape.equals(liveShape)) {
                mismatched.add(e.getKey() + ": shape " + savedShape + " in the checkpoint, " + liveShape
                        + " in the module");
            } else if (!String.valueOf(m.get("dtype")).equals(s.get("dtype"))) {
                mismatched.add(e.getKey() + ": dtype " + s.get("dtype") + " in the checkpoint, " + m.get("dtype")
                        + " in the module");
            } else if (!m.get("buffer").equals(s.get("buffer"))) {
                mismatched.add(e.getKey() + ": a " + (Boolean.TRUE.equals(s.get("buffer")) ? "buffer" : "parameter")
                        + " in the checkpoint but not in the module");
            }
        }
        StringBuilder report = new StringBuilder();
        if (!missing.isEmpty()) {
            report.append("\n  Missing key(s) in the checkpoint: ").append(missing);
        }
        if (!unexpected.isEmpty()) {
            report.append("\n  Unexpected key(s) in the checkpoint: ").append(unexpected);
        }
        if (!mismatched.isEmpty()) {
            report.append("\n  Size or type mismatch: ").append(String.join("; ", mismatched));
        }
        return report.toString();
    }

    private static String shapeText(Object shape) {
        return shape instanceof List ? shape.toString() : "(none)";
    }

    /**
     * {@code {"class": "AdamW", "param_groups": [{"lr": 0.1, "param_shapes": [[4, 8], [4]]}], "extras": {...}}}.
     */
    static Map<String, Object> optimizerManifest(Optimizer optimizer) {
        ParamGroups groups = ParamGroups.of(optimizer);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("class", groups.optimizerName());
        List<Object> list = new ArrayList<>();
        OptimizerParamGroupVector vector = optimizer.param_groups();
        for (long g = 0; g < vector.size(); g++) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("lr", CheckpointJson.number(groups.lr((int) g)));
            List<Object> shapes = new ArrayList<>();
            try (TensorVector params = vector.get(g).params()) {
                for (long p = 0; p < params.size(); p++) {
                    shapes.add(shapeList(params.get(p).shape()));
                }
            }
            group.put("param_shapes", shapes);
            list.add(group);
        }
        manifest.put("param_groups", list);
        manifest.put("extras", groups.extrasStateDict());
        return manifest;
    }

    /** What differs between a saved optimizer manifest and a live optimizer's; empty when they match. */
    static String compareOptimizer(int index, Map<String, Object> saved, Map<String, Object> live, String what) {
        Object savedClass = saved.get("class");
        if (!live.get("class").equals(savedClass)) {
            return "optimizer " + index + " is " + savedClass + " in the checkpoint but " + live.get("class")
                    + " in configureOptimizers";
        }
        List<Object> savedGroups = CheckpointJson.toList(saved.get("param_groups"), what + ": optimizer " + index
                + " param_groups");
        List<?> liveGroups = (List<?>) live.get("param_groups");
        if (savedGroups.size() != liveGroups.size()) {
            return "optimizer " + index + " (" + savedClass + ") has " + savedGroups.size()
                    + " param group(s) in the checkpoint but " + liveGroups.size() + " in configureOptimizers";
        }
        for (int g = 0; g < savedGroups.size(); g++) {
            Object s = CheckpointJson.toMap(savedGroups.get(g), what + ": optimizer " + index + " group " + g)
                    .get("param_shapes");
            Object l = ((Map<?, ?>) liveGroups.get(g)).get("param_shapes");
            if (!String.valueOf(s).equals(String.valueOf(l))) {
                return "optimizer " + index + " (" + savedClass + ") param group " + g + " holds parameters of shapes "
                        + s + " in the checkpoint but " + l + " in configureOptimizers";
            }
        }
        return "";
    }

    static String shapeOf(Tensor t) {
        return Arrays.toString(t.shape());
    }
}
