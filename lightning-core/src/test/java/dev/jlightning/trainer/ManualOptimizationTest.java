package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Spies.CountingStepLR;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Scheduler tests of Lightning's {@code tests_pytorch/trainer/optimization/test_manual_optimization.py}. */
class ManualOptimizationTest {

    @TempDir
    Path dir;

    private TrainerConfig.Builder trainer() {
        return Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false);
    }

    /** A BoringModel in manual optimization that steps its first optimizer once per batch. */
    static class ManualModel extends BoringModel {
        ManualModel() {
            automaticOptimization(false);
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            LightningOptimizer opt = optimizers().get(0);
            opt.zeroGrad();
            manualBackward(step(batch));
            opt.step();
            return null;
        }
    }

    @Test
    void lrSchedulers() {
        List<LRScheduler> created = new ArrayList<>();
        List<List<LRScheduler>> seen = new ArrayList<>();
        ManualModel model = new ManualModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                seen.add(lrSchedulers());
                return super.trainingStep(batch, batchIdx);
            }

            @Override
            public Object configureOptimizers() {
                SGD a = new SGD(parameters(), new SGDOptions(0.1));
                SGD b = new SGD(parameters(), new SGDOptions(0.1));
                created.add(new StepLR(a, 1));
                created.add(new StepLR(b, 1));
                return List.of(List.of(a, b), List.copyOf(created));
            }
        };
        trainer().maxEpochs(1).limitTrainBatches(1).limitValBatches(0).build().fit(model, BoringModel.data(4));
        assertEquals(1, seen.size());
        assertSame(created.get(0), seen.get(0).get(0));
        assertSame(created.get(1), seen.get(0).get(1));
    }

    /** Lightning's lr_schedulers() returns the scheduler itself when there is one; lrScheduler() is that form. */
    @Test
    void lrSchedulerReturnsTheOnlySchedulerAndRefusesSeveral() {
        List<LRScheduler> seen = new ArrayList<>();
        ManualModel model = new ManualModel() {
            @Override
            public void onTrainEpochEnd() {
                seen.add(lrScheduler());
                lrScheduler().step();
            }

            @Override
            public Object configureOptimizers() {
                SGD a = new SGD(parameters(), new SGDOptions(0.1));
                return List.of(List.of(a), List.of(new StepLR(a, 1)));
            }
        };
        Trainer t = trainer().maxEpochs(1).limitTrainBatches(1).limitValBatches(0).build();
        t.fit(model, BoringModel.data(4));
        assertSame(t.lrSchedulers().get(0), seen.get(0));
        assertEquals(1, seen.get(0).lastEpoch());

        var e = assertThrows(MisconfigurationException.class, () -> trainer().maxEpochs(1).limitTrainBatches(1)
                .limitValBatches(0).build().fit(new ManualModel() {
                    @Override
                    public Object configureOptimizers() {
                        return new SGD(parameters(), new SGDOptions(0.1));
                    }

                    @Override
                    public void onTrainEpochEnd() {
                        lrScheduler();
                    }
                }, BoringModel.data(4)));
        assertTrue(e.getMessage().contains("lrScheduler() needs exactly one scheduler, there are 0"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void lrSchedulersReduceLrOnPlateau(boolean schedulerAsDict) {
        ReduceLROnPlateau[] plateau = new ReduceLROnPlateau[1];
        ManualModel model = new ManualModel() {
            @Override
            public void onTrainEpochEnd() {
                // the user steps the plateau scheduler with a value of their choosing
                lrSchedulers().get(0).step(0.0);
            }

            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                plateau[0] = new ReduceLROnPlateau(sgd);
                Object s = schedulerAsDict
                        ? Map.of("scheduler", plateau[0], "monitor", "train_loss", "interval", "step") : plateau[0];
                return List.of(List.of(sgd), List.of(s));
            }
        };
        Trainer t = trainer().maxEpochs(1).limitTrainBatches(1).limitValBatches(0).build();
        try (LogCapture log = LogCapture.capture()) {
            t.fit(model, BoringModel.data(4));
            assertEquals(schedulerAsDict ? 1 : 0,
                    log.matching("['monitor'], but the keys will be ignored").size(), log.warnings().toString());
        }
        if (schedulerAsDict) {
            assertEquals(Interval.STEP, t.lrSchedulerConfigs().get(0).interval());
        }
        assertEquals(1, plateau[0].lastEpoch());
    }

    @Test
    void lrSchedulerStepNotCalled() {
        CountingStepLR[] spy = new CountingStepLR[1];
        ManualModel model = new ManualModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                spy[0] = new CountingStepLR(sgd, 1);
                return List.of(List.of(sgd), List.of(spy[0]));
            }
        };
        Trainer t = trainer().fastDevRun(2).build();
        t.fit(model, BoringModel.data(4));
        // only the constructor's step: Lightning never steps schedulers in manual optimization
        assertEquals(1, spy[0].calls());
        assertEquals(2, t.globalStep());
    }

    /**
     * Lightning accepts a scheduler object without {@code step} in manual optimization. A Java scheduler must be an
     * LRScheduler, which always has step(), state and the optimizer it drives, so any other object is rejected in
     * both modes.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void manualOptimizationWithNonPytorchScheduler(boolean automatic) {
        final class IncompatibleScheduler {
        }
        BoringModel model = new BoringModel() {
            {
                automaticOptimization(automatic);
            }

            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                return List.of(List.of(sgd), List.of(new IncompatibleScheduler()));
            }
        };
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().maxEpochs(0).build().fit(model, BoringModel.data(4)));
        assertTrue(e.getMessage().contains("must be an LRScheduler") && e.getMessage().contains("IncompatibleScheduler"),
                e.getMessage());
    }
}
