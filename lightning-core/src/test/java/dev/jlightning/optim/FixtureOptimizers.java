package dev.jlightning.optim;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.global.torch;

/**
 * Builds the LibTorch optimizer a parity fixture describes with {@link Optimizers}: its class, one two-element
 * parameter per group, and per group the fixture's {@code lr}, {@code momentum}, {@code betas},
 * {@code weight_decay}, plus any extra entry PyTorch keeps in the group ({@code initial_lr}, OneCycleLR's
 * {@code max_lr}, ...) through {@link ParamGroups}.
 */
final class FixtureOptimizers {
    private FixtureOptimizers() {
    }

    @SuppressWarnings("unchecked")
    static Optimizer build(Map<String, Object> spec) {
        List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("param_groups");
        double lr0 = number(groups.get(0).get("lr"));
        Optimizers.Builder<? extends Optimizer> builder = builder((String) spec.get("type"), lr0);
        for (Map<String, Object> group : groups) {
            builder.group(List.of(torch.zeros(2)), options -> {
                options.lr(number(group.get("lr")));
                if (group.containsKey("momentum")) {
                    options.momentum(number(group.get("momentum")));
                }
                if (group.containsKey("betas")) {
                    List<Object> betas = (List<Object>) group.get("betas");
                    options.betas(number(betas.get(0)), number(betas.get(1)));
                }
                if (group.containsKey("weight_decay")) {
                    options.weightDecay(number(group.get("weight_decay")));
                }
            });
        }
        Optimizer optimizer = builder.build();
        ParamGroups view = ParamGroups.of(optimizer);
        for (int i = 0; i < groups.size(); i++) {
            for (Map.Entry<String, Object> e : groups.get(i).entrySet()) {
                if (!List.of("lr", "momentum", "betas", "weight_decay").contains(e.getKey())) {
                    view.setExtra(i, e.getKey(), number(e.getValue()));
                }
            }
        }
        return optimizer;
    }

    private static Optimizers.Builder<? extends Optimizer> builder(String type, double lr) {
        switch (type) {
            case "SGD":
                return Optimizers.sgd(lr);
            case "Adam":
                return Optimizers.adam(lr);
            case "AdamW":
                return Optimizers.adamW(lr);
            case "RMSprop":
                return Optimizers.rmsprop(lr);
            case "Adagrad":
                return Optimizers.adagrad(lr);
            default:
                throw new IllegalArgumentException("fixture optimizer type " + type);
        }
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }
}
