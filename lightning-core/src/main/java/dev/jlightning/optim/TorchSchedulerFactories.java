package dev.jlightning.optim;

import java.util.function.IntToDoubleFunction;
import org.bytedeco.pytorch.Optimizer;

/**
 * PyTorch's scheduler names and keyword arguments for {@link LRSchedulers}: one {@link SchedulerFactory} per class
 * of {@code torch.optim.lr_scheduler}, each accepting exactly that class's keywords with its defaults.
 */
final class TorchSchedulerFactories {
    private TorchSchedulerFactories() {
    }

    static void registerAll(SchedulerRegistry registry) {
        registry.add("LambdaLR", TorchSchedulerFactories::lambdaLr)
                .add("MultiplicativeLR", TorchSchedulerFactories::multiplicativeLr)
                .add("StepLR", TorchSchedulerFactories::stepLr)
                .add("MultiStepLR", TorchSchedulerFactories::multiStepLr)
                .add("ConstantLR", TorchSchedulerFactories::constantLr)
                .add("LinearLR", TorchSchedulerFactories::linearLr)
                .add("ExponentialLR", TorchSchedulerFactories::exponentialLr)
                .add("PolynomialLR", TorchSchedulerFactories::polynomialLr)
                .add("CosineAnnealingLR", TorchSchedulerFactories::cosineAnnealingLr)
                .add("CosineAnnealingWarmRestarts", TorchSchedulerFactories::cosineAnnealingWarmRestarts)
                .add("CyclicLR", TorchSchedulerFactories::cyclicLr)
                .add("OneCycleLR", TorchSchedulerFactories::oneCycleLr)
                .add("ReduceLROnPlateau", TorchSchedulerFactories::reduceLrOnPlateau)
                .add("SequentialLR", TorchSchedulerFactories::sequentialLr)
                .add("ChainedScheduler", TorchSchedulerFactories::chainedScheduler);
    }

    private static LRScheduler lambdaLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("lr_lambda", "last_epoch");
        int lastEpoch = c.optInt("last_epoch", -1);
        if (c.isList("lr_lambda")) {
            return new LambdaLR(optimizer, c.requireFormulaList("lr_lambda", "epoch"), lastEpoch);
        }
        IntToDoubleFunction f = c.requireFormula("lr_lambda", "epoch");
        return new LambdaLR(optimizer, f, lastEpoch);
    }

    private static LRScheduler multiplicativeLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("lr_lambda", "last_epoch");
        int lastEpoch = c.optInt("last_epoch", -1);
        if (c.isList("lr_lambda")) {
            return new MultiplicativeLR(optimizer, c.requireFormulaList("lr_lambda", "epoch"), lastEpoch);
        }
        IntToDoubleFunction f = c.requireFormula("lr_lambda", "epoch");
        return new MultiplicativeLR(optimizer, f, lastEpoch);
    }

    private static LRScheduler stepLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("step_size", "gamma", "last_epoch");
        return new StepLR(optimizer, c.requireInt("step_size"), c.optDouble("gamma", 0.1), c.optInt("last_epoch", -1));
    }

    private static LRScheduler multiStepLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("milestones", "gamma", "last_epoch");
        return new MultiStepLR(optimizer, c.requireIntList("milestones"), c.optDouble("gamma", 0.1),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler constantLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("factor", "total_iters", "last_epoch");
        return new ConstantLR(optimizer, c.optDouble("factor", 1.0 / 3), c.optInt("total_iters", 5),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler linearLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("start_factor", "end_factor", "total_iters", "last_epoch");
        return new LinearLR(optimizer, c.optDouble("start_factor", 1.0 / 3), c.optDouble("end_factor", 1.0),
                c.optInt("total_iters", 5), c.optInt("last_epoch", -1));
    }

    private static LRScheduler exponentialLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("gamma", "last_epoch");
        return new ExponentialLR(optimizer, c.requireDouble("gamma"), c.optInt("last_epoch", -1));
    }

    private static LRScheduler polynomialLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("total_iters", "power", "last_epoch");
        return new PolynomialLR(optimizer, c.optInt("total_iters", 5), c.optDouble("power", 1.0),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler cosineAnnealingLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("T_max", "eta_min", "last_epoch");
        return new CosineAnnealingLR(optimizer, c.requireInt("T_max"), c.optDouble("eta_min", 0.0),
                c.optInt("last_epoch", -1));
    }

    private static LRScheduler cosineAnnealingWarmRestarts(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("T_0", "T_mult", "eta_min", "last_epoch");
        return new CosineAnnealingWarmRestarts(optimizer, c.requireInt("T_0"), c.optInt("T_mult", 1),
                c.optDouble("eta_min", 0.0), c.optInt("last_epoch", -1));
    }

    private static LRScheduler cyclicLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma", "scale_fn",
                "scale_mode", "cycle_momentum", "base_momentum", "max_momentum", "last_epoch");
        CyclicLR.Builder b = CyclicLR.builder(optimizer);
        if (c.isList("base_lr")) {
            b.baseLrs(c.requireDoubleList("base_lr"));
        } else {
            b.baseLr(c.requireDouble("base_lr"));
        }
        if (c.isList("max_lr")) {
            b.maxLrs(c.requireDoubleList("max_lr"));
        } else {
            b.maxLr(c.requireDouble("max_lr"));
        }
        b.stepSizeUp(c.optInt("step_size_up", 2000));
        c.optInt("step_size_down").ifPresent(b::stepSizeDown);
        b.mode(c.optString("mode", "triangular")).gamma(c.optDouble("gamma", 1.0));
        if (c.has("scale_fn")) {
            b.scaleFn(c.requireFormula("scale_fn", "x"));
        }
        b.scaleMode(c.optString("scale_mode", "cycle")).cycleMomentum(c.optBool("cycle_momentum", true));
        if (c.isList("base_momentum")) {
            b.baseMomentums(c.requireDoubleList("base_momentum"));
        } else {
            b.baseMomentum(c.optDouble("base_momentum", 0.8));
        }
        if (c.isList("max_momentum")) {
            b.maxMomentums(c.requireDoubleList("max_momentum"));
        } else {
            b.maxMomentum(c.optDouble("max_momentum", 0.9));
        }
        return b.lastEpoch(c.optInt("last_epoch", -1)).build();
    }

    private static LRScheduler oneCycleLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy",
                "cycle_momentum", "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase",
                "last_epoch");
        OneCycleLR.Builder b = OneCycleLR.builder(optimizer);
        if (c.isList("max_lr")) {
            b.maxLrs(c.requireDoubleList("max_lr"));
        } else {
            b.maxLr(c.requireDouble("max_lr"));
        }
        c.optInt("total_steps").ifPresent(b::totalSteps);
        c.optInt("epochs").ifPresent(b::epochs);
        c.optInt("steps_per_epoch").ifPresent(b::stepsPerEpoch);
        b.pctStart(c.optDouble("pct_start", 0.3)).annealStrategy(c.optString("anneal_strategy", "cos"))
                .cycleMomentum(c.optBool("cycle_momentum", true));
        if (c.isList("base_momentum")) {
            b.baseMomentums(c.requireDoubleList("base_momentum"));
        } else {
            b.baseMomentum(c.optDouble("base_momentum", 0.85));
        }
        if (c.isList("max_momentum")) {
            b.maxMomentums(c.requireDoubleList("max_momentum"));
        } else {
            b.maxMomentum(c.optDouble("max_momentum", 0.95));
        }
        return b.divFactor(c.optDouble("div_factor", 25.0)).finalDivFactor(c.optDouble("final_div_factor", 1e4))
                .threePhase(c.optBool("three_phase", false)).lastEpoch(c.optInt("last_epoch", -1)).build();
    }

    private static LRScheduler reduceLrOnPlateau(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps");
        ReduceLROnPlateau.Builder b = ReduceLROnPlateau.builder(optimizer).mode(c.optString("mode", "min"))
                .factor(c.optDouble("factor", 0.1)).patience(c.optInt("patience", 10))
                .threshold(c.optDouble("threshold", 1e-4)).thresholdMode(c.optString("threshold_mode", "rel"))
                .cooldown(c.optInt("cooldown", 0)).eps(c.optDouble("eps", 1e-8));
        if (c.isList("min_lr")) {
            b.minLrs(c.requireDoubleList("min_lr"));
        } else {
            b.minLr(c.optDouble("min_lr", 0.0));
        }
        return b.build();
    }

    private static LRScheduler sequentialLr(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("schedulers", "milestones", "last_epoch");
        // milestones are checked first so that a bad list fails before the children touch the optimizer
        java.util.List<Integer> milestones = c.requireIntList("milestones");
        if (c.isList("schedulers") && !((java.util.List<?>) c.raw("schedulers")).isEmpty()) {
            SequentialLR.checkMilestones(milestones, ((java.util.List<?>) c.raw("schedulers")).size());
        }
        int lastEpoch = c.optInt("last_epoch", -1);
        return new SequentialLR(optimizer, c.requireSchedulers("schedulers", optimizer), milestones, lastEpoch);
    }

    private static LRScheduler chainedScheduler(Optimizer optimizer, SchedulerConfig c) {
        c.expectKeys("schedulers");
        return new ChainedScheduler(c.requireSchedulers("schedulers", optimizer), optimizer);
    }
}
