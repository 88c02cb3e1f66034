package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.ConstantLR;
import dev.jlightning.optim.CosineAnnealingLR;
import dev.jlightning.optim.CyclicLR;
import dev.jlightning.optim.ExponentialLR;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.LinearLR;
import dev.jlightning.optim.LinearWarmup;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.PolynomialLR;
import dev.jlightning.optim.SequentialLR;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule-horizon check at fit start (not in Lightning): a schedule length counted in the wrong unit for its
 * interval warns with both numbers and the likely fix; a OneCycleLR that would be stepped past total_steps fails
 * before the first batch. The data gives 4 batches per epoch; 10 epochs are 40 optimizer steps.
 */
class ScheduleHorizonCheckTest {

    @TempDir
    Path dir;

    private List<String> warningsOf(Function<Optimizer, LRSchedulerConfig> sched, TrainerConfig.Builder b) {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(lr));
                return OptimizerConfig.of(sgd, sched.apply(sgd));
            }
        };
        try (LogCapture log = LogCapture.capture()) {
            b.defaultRootDir(dir).logger(false).build().fit(m, Data.loader(40, 4, 10));
            return log.matching(" steps in this fit");
        }
    }

    private List<String> warningsOf(Function<Optimizer, LRSchedulerConfig> sched) {
        return warningsOf(sched, Trainer.builder().maxEpochs(10));
    }

    private static LRSchedulerConfig epoch(LRScheduler s) {
        return LRSchedulerConfig.of(s);
    }

    private static LRSchedulerConfig step(LRScheduler s) {
        return LRSchedulerConfig.builder(s).interval(Interval.STEP).build();
    }

    @Test
    void horizonCountedInBatchesWithEpochIntervalWarns() {
        List<String> w = warningsOf(o -> epoch(new CosineAnnealingLR(o, 10_000)));
        assertEquals(List.of("CosineAnnealingLR T_max=10000 but interval='epoch' gives 10 steps in this fit: did you"
                + " mean interval='step' (40 steps)? Otherwise set T_max=10 to span this fit (one step per epoch)"), w);
    }

    @Test
    void horizonCountedInEpochsWithStepIntervalWarns() {
        List<String> w = warningsOf(o -> step(new CosineAnnealingLR(o, 10)));
        assertEquals(List.of("CosineAnnealingLR T_max=10 but interval='step' gives 40 steps in this fit: did you mean"
                + " interval='epoch' (10 steps)? Otherwise set T_max=40 to span this fit"
                + " (trainer.estimatedSteppingBatches())"), w);
    }

    @Test
    void horizonWithinAFactorOfTwoIsQuiet() {
        assertEquals(List.of(), warningsOf(o -> step(new CosineAnnealingLR(o, 40))));
        assertEquals(List.of(), warningsOf(o -> step(new CosineAnnealingLR(o, 25))));
        assertEquals(List.of(), warningsOf(o -> epoch(new CosineAnnealingLR(o, 15))));
    }

    @Test
    void aShortPhaseIsNotAMistakeButAPhaseLongerThanTheRunIs() {
        assertEquals(List.of(), warningsOf(o -> step(new LinearLR(o, 0.1, 1.0, 5))));
        List<String> w = warningsOf(o -> epoch(new LinearLR(o, 0.1, 1.0, 400)));
        assertEquals(1, w.size());
        assertTrue(w.get(0).startsWith("LinearLR total_iters=400 but interval='epoch' gives 10 steps in this fit: did"
                + " you mean interval='step' (40 steps)?"), w.get(0));
    }

    @Test
    void everySchedulerWithAHorizonIsChecked() {
        assertTrue(warningsOf(o -> epoch(new PolynomialLR(o, 1000, 1.0))).get(0)
                .startsWith("PolynomialLR total_iters=1000 but interval='epoch' gives 10 steps"));
        assertTrue(warningsOf(o -> epoch(new ConstantLR(o, 0.5, 1000))).get(0)
                .startsWith("ConstantLR total_iters=1000 but interval='epoch' gives 10 steps"));
        assertTrue(warningsOf(o -> epoch(CyclicLR.builder(o).baseLr(0.01).maxLr(0.1).stepSizeUp(2000).build()))
                .get(0).startsWith("CyclicLR step_size_up+step_size_down=4000 but interval='epoch' gives 10 steps"));
        assertTrue(warningsOf(o -> epoch(new SequentialLR(o, List.of(new LinearLR(o, 0.1, 1.0, 5),
                new ExponentialLR(o, 0.9)), List.of(500)))).get(0)
                .startsWith("SequentialLR milestones[-1]=500 but interval='epoch' gives 10 steps"));
        assertTrue(warningsOf(o -> epoch(new LinearWarmup(o, 0.1, 300, 0.0, 0.1))).get(0)
                .startsWith("LinearWarmup warmup_steps=300 but interval='epoch' gives 10 steps"));
        assertTrue(warningsOf(o -> step(OneCycleLR.builder(o).maxLr(0.1).totalSteps(1000).build())).get(0)
                .startsWith("OneCycleLR total_steps=1000 but interval='step' gives 40 steps"));
    }

    @Test
    void frequencyAccumulationAndMaxStepsAreCounted() {
        // 4 batches, accumulation 2: 2 optimizer steps per epoch, 20 in 10 epochs; frequency 2 keeps batch 1 and 3
        List<String> w = warningsOf(o -> LRSchedulerConfig.builder(new CosineAnnealingLR(o, 100))
                .interval(Interval.STEP).frequency(2).build(), Trainer.builder().maxEpochs(10).accumulateGradBatches(2));
        assertEquals(1, w.size());
        assertTrue(w.get(0).startsWith("CosineAnnealingLR T_max=100 but interval='step' with frequency=2 gives 20 steps"
                + " in this fit: "), w.get(0));
        assertTrue(w.get(0).endsWith("set T_max=20 to span this fit (trainer.estimatedSteppingBatches() /"
                + " frequency)"), w.get(0));
        // maxSteps=10 ends the run in epoch 3: 10 step-interval steps, 2 complete epochs
        assertTrue(warningsOf(o -> step(new CosineAnnealingLR(o, 40)), Trainer.builder().maxSteps(10)).get(0)
                .startsWith("CosineAnnealingLR T_max=40 but interval='step' gives 10 steps"));
        assertTrue(warningsOf(o -> epoch(new CosineAnnealingLR(o, 10)), Trainer.builder().maxSteps(10)).get(0)
                .startsWith("CosineAnnealingLR T_max=10 but interval='epoch' gives 2 steps"));
    }

    @Test
    void oneCycleLrThatWouldOverrunFailsBeforeTheFirstBatch() {
        int[] batches = {0};
        Callback counter = new Callback() {
            @Override
            public void onTrainBatchStart(Trainer t, LightningModule m, Batch b, int i) {
                batches[0]++;
            }
        };
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(lr));
                return OptimizerConfig.of(sgd, step(OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(30).build()));
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(10).callbacks(counter).build();
        var e = assertThrows(MisconfigurationException.class, () -> t.fit(m, Data.loader(40, 4, 10)));
        assertEquals(0, batches[0]);
        assertEquals("OneCycleLR total_steps=30 but interval='step' gives 40 scheduler steps in this fit, and PyTorch"
                + " raises 'Tried to step 31 times' once the schedule is over: set total_steps=40 to span this fit"
                + " (trainer.estimatedSteppingBatches())", e.getMessage());
    }

    @Test
    void oneCycleLrWithEpochIntervalSizedInEpochsThatOverrunsSuggestsTheEpochCount() {
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(lr));
                return OptimizerConfig.of(sgd, epoch(OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(5).build()));
            }
        };
        var e = assertThrows(MisconfigurationException.class, () -> Trainer.builder().defaultRootDir(dir)
                .logger(false).maxEpochs(10).build().fit(m, Data.loader(40, 4, 10)));
        assertTrue(e.getMessage().startsWith("OneCycleLR total_steps=5 but interval='epoch' gives 10 scheduler steps"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("set total_steps=10 to span this fit (one step per epoch)"),
                e.getMessage());
    }

    /** Lightning's recipe: size OneCycleLR with trainer.estimated_stepping_batches inside configure_optimizers. */
    @Test
    void oneCycleLrSizedWithEstimatedSteppingBatchesEndsExactlyAtTotalSteps() {
        OneCycleLR[] one = new OneCycleLR[1];
        Mlp m = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(lr));
                int total = (int) trainer().orElseThrow().estimatedSteppingBatches();
                one[0] = OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(total).build();
                return OptimizerConfig.of(sgd, step(one[0]));
            }
        };
        try (LogCapture log = LogCapture.capture()) {
            // 7 batches, accumulation 2: 4 optimizer steps per epoch (the last window is partial), 12 in 3 epochs
            Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(3).accumulateGradBatches(2).build()
                    .fit(m, Data.loader(70, 4, 10));
            assertEquals(List.of(), log.matching(" steps in this fit"));
        }
        assertEquals(12, one[0].totalSteps());
        assertEquals(12, one[0].lastEpoch());
    }

    @Test
    void schedulerStepsCountsLikeTheTrainer() {
        // 7 batches, frequency 3, step interval: batches 2 and 5 of each epoch
        assertEquals(6, ScheduleHorizonCheck.schedulerSteps(Interval.STEP, 3, 7, 1, 3, -1));
        // accumulation 2, frequency 2: 3 of the 4 optimizer steps of each epoch
        assertEquals(6, ScheduleHorizonCheck.schedulerSteps(Interval.STEP, 2, 7, 2, 2, -1));
        // accumulation 2, frequency 3: 1 of 4
        assertEquals(2, ScheduleHorizonCheck.schedulerSteps(Interval.STEP, 3, 7, 2, 2, -1));
        // epoch frequency 2 over 5 epochs: ends of epochs 1 and 3
        assertEquals(2, ScheduleHorizonCheck.schedulerSteps(Interval.EPOCH, 2, 7, 1, 5, -1));
        // maxSteps 10 with 7 batches: 1 complete epoch, then 3 batches
        assertEquals(1, ScheduleHorizonCheck.schedulerSteps(Interval.EPOCH, 1, 7, 1, -1, 10));
        assertEquals(10, ScheduleHorizonCheck.schedulerSteps(Interval.STEP, 1, 7, 1, -1, 10));
        assertEquals(Long.MAX_VALUE, ScheduleHorizonCheck.schedulerSteps(Interval.STEP, 1, 7, 1, -1, -1));
    }
}
