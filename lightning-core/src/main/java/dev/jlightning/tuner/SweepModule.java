package dev.jlightning.tuner;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.OptimizerSetup;
import dev.jlightning.optim.ParamGroups;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

/**
 * The module the search trains: the user's module as its only child, its steps and hooks, and its optimizer with the
 * schedulers swapped for the search's own.
 *
 * <p>Lightning's {@code _exchange_scheduler} in the form a Java Trainer allows: the user's
 * {@code configureOptimizers()} must give exactly one optimizer; its groups start at {@code min_lr} (as
 * {@code initial_lr} too) and a {@link SweepScheduler} stepped every batch replaces any schedulers. Wrapping keeps the
 * parameters the user's own tensors (registered under {@code model.}), so the search trains them in place.
 */
final class SweepModule extends LightningModule {

    private final LightningModule model;
    private final LRFindOptions options;
    private final SweepCallback recorder;

    SweepModule(LightningModule model, LRFindOptions options, SweepCallback recorder) {
        super("LRFinder");
        this.model = register_module("model", model);
        this.options = options;
        this.recorder = recorder;
    }

    @Override
    public Tensor trainingStep(Batch batch, int batchIdx) {
        return model.trainingStep(batch, batchIdx);
    }

    @Override
    public Object configureOptimizers() {
        OptimizerSetup setup = OptimizerSetup.parse(model.configureOptimizers(), true);
        if (setup.optimizers().size() != 1) {
            throw new MisconfigurationException("`model.configureOptimizers()` returned " + setup.optimizers().size()
                    + ", but learning rate finder only works with single optimizer");
        }
        Optimizer optimizer = setup.optimizers().get(0);
        ParamGroups groups = ParamGroups.of(optimizer);
        for (int g = 0; g < groups.size(); g++) {
            groups.setLr(g, options.minLr());
            groups.setInitialLr(g, options.minLr());
        }
        SweepScheduler scheduler = new SweepScheduler(optimizer, "exponential".equals(options.mode()),
                options.maxLr(), options.numTraining());
        recorder.scheduler(scheduler);
        return OptimizerConfig.of(optimizer, LRSchedulerConfig.builder(scheduler).interval(Interval.STEP).build());
    }

    // the search runs the user's training hooks, as Lightning's nested fit loop does

    @Override
    public void onTrainStart() {
        model.onTrainStart();
    }

    @Override
    public void onTrainEnd() {
        model.onTrainEnd();
    }

    @Override
    public void onTrainEpochStart() {
        model.onTrainEpochStart();
    }

    @Override
    public void onTrainEpochEnd() {
        model.onTrainEpochEnd();
    }

    @Override
    public boolean onTrainBatchStart(Batch batch, int batchIdx) {
        return model.onTrainBatchStart(batch, batchIdx);
    }

    @Override
    public void onTrainBatchEnd(Optional<Tensor> loss, Batch batch, int batchIdx) {
        model.onTrainBatchEnd(loss, batch, batchIdx);
    }

    @Override
    public void onBeforeBackward(Tensor loss) {
        model.onBeforeBackward(loss);
    }

    @Override
    public void onAfterBackward() {
        model.onAfterBackward();
    }

    @Override
    public void onBeforeOptimizerStep(Optimizer optimizer) {
        model.onBeforeOptimizerStep(optimizer);
    }

    @Override
    public void onBeforeZeroGrad(Optimizer optimizer) {
        model.onBeforeZeroGrad(optimizer);
    }

    @Override
    public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
        model.lrSchedulerStep(scheduler, metric);
    }
}
