package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/** Builds a fixture's scheduler from its config map with the schedulers' Java constructors and builders. */
final class FixtureSchedulers {
    private FixtureSchedulers() {
    }

    @SuppressWarnings("unchecked")
    static LRScheduler create(Optimizer opt, Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        String name = (String) c.remove("name");
        int last = c.containsKey("last_epoch") ? i(c.remove("last_epoch")) : -1;
        switch (name) {
            case "LambdaLR":
                return c.get("lr_lambda") instanceof List ? new LambdaLR(opt, lambdas(c.get("lr_lambda")), last)
                        : new LambdaLR(opt, Formula.parse((String) c.get("lr_lambda"), "epoch"), last);
            case "MultiplicativeLR":
                return c.get("lr_lambda") instanceof List
                        ? new MultiplicativeLR(opt, lambdas(c.get("lr_lambda")), last)
                        : new MultiplicativeLR(opt, Formula.parse((String) c.get("lr_lambda"), "epoch"), last);
            case "StepLR":
                return new StepLR(opt, i(c.get("step_size")), d(c.getOrDefault("gamma", 0.1)), last);
            case "MultiStepLR":
                return new MultiStepLR(opt, ints(c.get("milestones")), d(c.getOrDefault("gamma", 0.1)), last);
            case "ConstantLR":
                return new ConstantLR(opt, d(c.getOrDefault("factor", 1.0 / 3)), i(c.getOrDefault("total_iters", 5)),
                        last);
            case "LinearLR":
                return new LinearLR(opt, d(c.getOrDefault("start_factor", 1.0 / 3)),
                        d(c.getOrDefault("end_factor", 1.0)), i(c.getOrDefault("total_iters", 5)), last);
            case "ExponentialLR":
                return new ExponentialLR(opt, d(c.get("gamma")), last);
            case "PolynomialLR":
                return new PolynomialLR(opt, i(c.getOrDefault("total_iters", 5)), d(c.getOrDefault("power", 1.0)),
                        last);
            case "CosineAnnealingLR":
                return new CosineAnnealingLR(opt, i(c.get("T_max")), d(c.getOrDefault("eta_min", 0.0)), last);
            case "CosineAnnealingWarmRestarts":
                return new CosineAnnealingWarmRestarts(opt, i(c.get("T_0")), i(c.getOrDefault("T_mult", 1)),
                        d(c.getOrDefault("eta_min", 0.0)), last);
            case "CyclicLR": {
                CyclicLR.Builder b = CyclicLR.builder(opt).lastEpoch(last);
                if (c.get("base_lr") instanceof List) {
                    b.baseLrs(doubles(c.get("base_lr")));
                } else {
                    b.baseLr(d(c.get("base_lr")));
                }
                if (c.get("max_lr") instanceof List) {
                    b.maxLrs(doubles(c.get("max_lr")));
                } else {
                    b.maxLr(d(c.get("max_lr")));
                }
                if (c.containsKey("step_size_up")) {
                    b.stepSizeUp(i(c.get("step_size_up")));
                }
                if (c.containsKey("step_size_down")) {
                    b.stepSizeDown(i(c.get("step_size_down")));
                }
                if (c.containsKey("mode")) {
                    b.mode((String) c.get("mode"));
                }
                if (c.containsKey("gamma")) {
                    b.gamma(d(c.get("gamma")));
                }
                if (c.containsKey("scale_fn")) {
                    b.scaleFn(Formula.parse((String) c.get("scale_fn"), "x"));
                }
                if (c.containsKey("scale_mode")) {
                    b.scaleMode((String) c.get("scale_mode"));
                }
                if (c.containsKey("cycle_momentum")) {
                    b.cycleMomentum((Boolean) c.get("cycle_momentum"));
                }
                if (c.get("base_momentum") instanceof List) {
                    b.baseMomentums(doubles(c.get("base_momentum")));
                } else if (c.containsKey("base_momentum")) {
                    b.baseMomentum(d(c.get("base_momentum")));
                }
                if (c.get("max_momentum") instanceof List) {
                    b.maxMomentums(doubles(c.get("max_momentum")));
                } else if (c.containsKey("max_momentum")) {
                    b.maxMomentum(d(c.get("max_momentum")));
                }
                return b.build();
            }
            case "OneCycleLR": {
                OneCycleLR.Builder b = OneCycleLR.builder(opt).lastEpoch(last);
                if (c.get("max_lr") instanceof List) {
                    b.maxLrs(doubles(c.get("max_lr")));
                } else {
                    b.maxLr(d(c.get("max_lr")));
                }
                if (c.containsKey("total_steps")) {
                    b.totalSteps(i(c.get("total_steps")));
                }
                if (c.containsKey("epochs")) {
                    b.epochs(i(c.get("epochs")));
                }
                if (c.containsKey("steps_per_epoch")) {
                    b.stepsPerEpoch(i(c.get("steps_per_epoch")));
                }
                if (c.containsKey("pct_start")) {
                    b.pctStart(d(c.get("pct_start")));
                }
                if (c.containsKey("anneal_strategy")) {
                    b.annealStrategy((String) c.get("anneal_strategy"));
                }
                if (c.containsKey("cycle_momentum")) {
                    b.cycleMomentum((Boolean) c.get("cycle_momentum"));
                }
                if (c.get("base_momentum") instanceof List) {
                    b.baseMomentums(doubles(c.get("base_momentum")));
                } else if (c.containsKey("base_momentum")) {
                    b.baseMomentum(d(c.get("base_momentum")));
                }
                if (c.get("max_momentum") instanceof List) {
                    b.maxMomentums(doubles(c.get("max_momentum")));
                } else if (c.containsKey("max_momentum")) {
                    b.maxMomentum(d(c.get("max_momentum")));
                }
                if (c.containsKey("div_factor")) {
                    b.divFactor(d(c.get("div_factor")));
                }
                if (c.containsKey("final_div_factor")) {
                    b.finalDivFactor(d(c.get("final_div_factor")));
                }
                if (c.containsKey("three_phase")) {
                    b.threePhase((Boolean) c.get("three_phase"));
                }
                return b.build();
            }
            case "ReduceLROnPlateau": {
                ReduceLROnPlateau.Builder b = ReduceLROnPlateau.builder(opt);
                if (c.containsKey("mode")) {
                    b.mode((String) c.get("mode"));
                }
                if (c.containsKey("factor")) {
                    b.factor(d(c.get("factor")));
                }
                if (c.containsKey("patience")) {
                    b.patience(i(c.get("patience")));
                }
                if (c.containsKey("threshold")) {
                    b.threshold(d(c.get("threshold")));
                }
                if (c.containsKey("threshold_mode")) {
                    b.thresholdMode((String) c.get("threshold_mode"));
                }
                if (c.containsKey("cooldown")) {
                    b.cooldown(i(c.get("cooldown")));
                }
                if (c.get("min_lr") instanceof List) {
                    b.minLrs(doubles(c.get("min_lr")));
                } else if (c.containsKey("min_lr")) {
                    b.minLr(d(c.get("min_lr")));
                }
                if (c.containsKey("eps")) {
                    b.eps(d(c.get("eps")));
                }
                return b.build();
            }
            case "SequentialLR": {
                List<LRScheduler> children = new ArrayList<>();
                for (Object child : (List<Object>) c.get("schedulers")) {
                    children.add(create(opt, (Map<String, Object>) child));
                }
                return new SequentialLR(opt, children, ints(c.get("milestones")), last);
            }
            case "ChainedScheduler": {
                List<LRScheduler> children = new ArrayList<>();
                for (Object child : (List<Object>) c.get("schedulers")) {
                    children.add(create(opt, (Map<String, Object>) child));
                }
                return new ChainedScheduler(children, opt);
            }
            default:
                return paddle(opt, name, c, last);
        }
    }

    @SuppressWarnings("unchecked")
    private static PaddleLRScheduler paddle(Optimizer opt, String name, Map<String, Object> c, int last) {
        switch (name) {
            case "StepDecay":
                return new StepDecay(opt, d(c.get("learning_rate")), i(c.get("step_size")),
                        d(c.getOrDefault("gamma", 0.1)), last);
            case "MultiStepDecay":
                return new MultiStepDecay(opt, d(c.get("learning_rate")), ints(c.get("milestones")),
                        d(c.getOrDefault("gamma", 0.1)), last);
            case "ExponentialDecay":
                return new ExponentialDecay(opt, d(c.get("learning_rate")), d(c.get("gamma")), last);
            case "NaturalExpDecay":
                return new NaturalExpDecay(opt, d(c.get("learning_rate")), d(c.get("gamma")), last);
            case "InverseTimeDecay":
                return new InverseTimeDecay(opt, d(c.get("learning_rate")), d(c.get("gamma")), last);
            case "PolynomialDecay":
                return new PolynomialDecay(opt, d(c.get("learning_rate")), i(c.get("decay_steps")),
                        d(c.getOrDefault("end_lr", 0.0001)), d(c.getOrDefault("power", 1.0)),
                        (Boolean) c.getOrDefault("cycle", false), last);
            case "PiecewiseDecay":
                return new PiecewiseDecay(opt, ints(c.get("boundaries")), doubles(c.get("values")), last);
            case "LambdaDecay":
                return new LambdaDecay(opt, d(c.get("learning_rate")),
                        Formula.parse((String) c.get("lr_lambda"), "epoch"), last);
            case "CosineAnnealingDecay":
                return new CosineAnnealingDecay(opt, d(c.get("learning_rate")), i(c.get("T_max")),
                        d(c.getOrDefault("eta_min", 0.0)), last);
            case "LinearWarmup": {
                Object lr = c.get("learning_rate");
                int warmup = i(c.get("warmup_steps"));
                double start = d(c.get("start_lr"));
                double end = d(c.get("end_lr"));
                if (lr instanceof Map) {
                    Map<String, Object> inner = new HashMap<>((Map<String, Object>) lr);
                    String innerName = (String) inner.remove("name");
                    int innerLast = inner.containsKey("last_epoch") ? i(inner.remove("last_epoch")) : -1;
                    return new LinearWarmup(opt, paddle(opt, innerName, inner, innerLast), warmup, start, end, last);
                }
                return new LinearWarmup(opt, d(lr), warmup, start, end, last);
            }
            default:
                throw new IllegalArgumentException("unknown scheduler " + name);
        }
    }

    private static List<IntToDoubleFunction> lambdas(Object value) {
        List<IntToDoubleFunction> out = new ArrayList<>();
        for (Object o : (List<?>) value) {
            out.add(Formula.parse((String) o, "epoch"));
        }
        return out;
    }

    private static List<Integer> ints(Object value) {
        List<Integer> out = new ArrayList<>();
        for (Object o : (List<?>) value) {
            out.add(i(o));
        }
        return out;
    }

    private static List<Double> doubles(Object value) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) value) {
            out.add(d(o));
        }
        return out;
    }

    private static int i(Object value) {
        return ((Number) value).intValue();
    }

    private static double d(Object value) {
        return ((Number) value).doubleValue();
    }
}
