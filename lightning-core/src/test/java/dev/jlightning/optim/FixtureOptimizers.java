package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.AdagradOptions;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.RMSprop;
import org.bytedeco.pytorch.RMSpropOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Builds the LibTorch optimizer a parity fixture describes: its class, one two-element parameter per group, and
 * per group the fixture's {@code lr}, {@code momentum}, {@code betas}, {@code weight_decay} and any extra entry PyTorch
 * keeps in the group ({@code initial_lr}, OneCycleLR's {@code max_lr}, ...).
 */
final class FixtureOptimizers {
    private FixtureOptimizers() {
    }

    @SuppressWarnings("unchecked")
    static Optimizer build(Map<String, Object> spec) {
        String type = (String) spec.get("type");
        List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("param_groups");
        double lr0 = number(groups.get(0).get("lr"));
        TensorVector first = new TensorVector(parameter());
        Optimizer optimizer;
        switch (type) {
            case "SGD":
                optimizer = new SGD(first, new SGDOptions(lr0));
                break;
            case "Adam":
                optimizer = new Adam(first, new AdamOptions(lr0));
                break;
            case "AdamW":
                optimizer = new AdamW(first, new AdamWOptions(lr0));
                break;
            case "RMSprop":
                optimizer = new RMSprop(first, new RMSpropOptions(lr0));
                break;
            case "Adagrad":
                optimizer = new Adagrad(first, new AdagradOptions(lr0));
                break;
            default:
                throw new IllegalArgumentException("fixture optimizer type " + type);
        }
        for (int i = 1; i < groups.size(); i++) {
            optimizer.add_param_group(new OptimizerParamGroup(new TensorVector(parameter())));
        }
        ParamGroups view = ParamGroups.of(optimizer);
        for (int i = 0; i < groups.size(); i++) {
            for (Map.Entry<String, Object> e : groups.get(i).entrySet()) {
                switch (e.getKey()) {
                    case "lr":
                        view.setLr(i, number(e.getValue()));
                        break;
                    case "momentum":
                        view.setMomentum(i, number(e.getValue()));
                        break;
                    case "betas":
                        List<Object> betas = (List<Object>) e.getValue();
                        view.setMomentum(i, number(betas.get(0)));
                        view.setBeta2(i, number(betas.get(1)));
                        break;
                    case "weight_decay":
                        view.setWeightDecay(i, number(e.getValue()));
                        break;
                    default:
                        view.setExtra(i, e.getKey(), number(e.getValue()));
                        break;
                }
            }
        }
        return optimizer;
    }

    private static Tensor parameter() {
        return torch.zeros(2);
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
