package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.OptimizerSetup;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Spies.CountingPlateau;
import dev.jlightning.testing.Spies.CountingStepLR;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lightning's {@code tests_pytorch/trainer/optimization/test_optimizers.py}, one test per Lightning test. Where
 * JLightning is deliberately stricter (unknown keys are errors, a scheduler must be an {@code LRScheduler}), the test
 * asserts JLightning's behaviour and says so.
 */
class OptimizersTest {

    @TempDir
    Path dir;

    private TrainerConfig.Builder trainer() {
        return Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false);
    }

    /** A BoringModel whose configureOptimizers returns what the test gives it. */
    private static BoringModel returning(java.util.function.Function<BoringModel, Object> conf) {
        return new BoringModel() {
            @Override
            public Object configureOptimizers() {
                return conf.apply(this);
            }
        };
    }

    private static Adam adam(LightningModule m) {
        return new Adam(m.parameters(), new AdamOptions(1e-3));
    }

    private static void assertMessage(Throwable e, String fragment) {
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void optimizerWithScheduling() {
        Trainer t = trainer().maxEpochs(1).limitValBatches(0.1).limitTrainBatches(0.2).valCheckInterval(0.5).build();
        t.fit(new BoringModel(), BoringModel.data(64), BoringModel.data(64));
        assertEquals(1, t.lrSchedulerConfigs().size());
        double[] lrs = ParamGroups.of(t.optimizers().get(0)).lrs();
        for (double lr : lrs) {
            assertEquals(lrs[0], lr);
        }
        // one epoch step; the two mid-epoch validations do not step an epoch scheduler
        assertEquals(0.1 * 0.1, lrs[0]);
    }

    @Test
    void multiOptimizerWithScheduling() {
        BoringModel model = new BoringModel() {
            {
                automaticOptimization(false);
            }

            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                List<LightningOptimizer> opts = optimizers();
                opts.get(0).zeroGrad();
                opts.get(1).zeroGrad();
                manualBackward(step(batch));
                opts.get(0).step();
                opts.get(1).step();
                return null;
            }

            @Override
            public void onTrainEpochEnd() {
                lrSchedulers().forEach(LRScheduler::step);
            }

            @Override
            public Object configureOptimizers() {
                Adam a = new Adam(parameters(), new AdamOptions(5e-4));
                Adam b = new Adam(parameters(), new AdamOptions(5e-4));
                return List.of(List.of(a, b), List.of(new StepLR(a, 1), new StepLR(b, 1)));
            }
        };
        Trainer t = trainer().maxEpochs(1).limitValBatches(0.1).limitTrainBatches(0.2).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(2, t.lrSchedulerConfigs().size());
        for (Optimizer o : t.optimizers()) {
            for (double lr : ParamGroups.of(o).lrs()) {
                assertEquals(5e-4 * 0.1, lr);
            }
        }
    }

    @Test
    void reducelronplateauWithNoMonitorRaises() {
        BoringModel model = returning(m -> {
            Adam a = adam(m);
            return List.of(List.of(a), List.of(new ReduceLROnPlateau(a)));
        });
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "must include a monitor when a `ReduceLROnPlateau`");
    }

    @Test
    void reducelronplateauWithNoMonitorInLrSchedulerDictRaises() {
        BoringModel model = returning(m -> {
            Adam a = adam(m);
            return Map.of("optimizer", a, "lr_scheduler", Map.of("scheduler", new ReduceLROnPlateau(a)));
        });
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "must include a monitor when a `ReduceLROnPlateau`");
    }

    @Test
    void onecyclelrWithEpochIntervalWarns() {
        BoringModel model = new BoringModel();
        Adam a = adam(model);
        OneCycleLR s = OneCycleLR.builder(a).maxLr(0.01).totalSteps(3).build();
        try (LogCapture log = LogCapture.capture()) {
            OptimizerSetup.parse(List.of(List.of(a), List.of(Map.of("scheduler", s))), true);
            assertEquals(1, log.matching("Are you sure you didn't mean 'interval': 'step'?").size());
        }
    }

    /** A scheduler that is not a ReduceLROnPlateau but asks for the monitored value, as Lightning's custom one. */
    static final class CustomPlateau extends LRScheduler {
        final List<Double> fed = new ArrayList<>();

        CustomPlateau(Optimizer optimizer) {
            super(optimizer);
            initialStep();
        }

        @Override
        protected double[] getLr() {
            return groupLrs();
        }

        @Override
        public void step(double metric) {
            fed.add(metric);
        }
    }

    @Test
    void schedulerInitializedWithCustomReduceonplateau() {
        Adam a = adam(new BoringModel());
        CustomPlateau custom = new CustomPlateau(a);
        LRSchedulerConfig c = LRSchedulerConfig.fromMap(
                Map.of("reduce_on_plateau", true, "scheduler", custom, "monitor", "my_loss"));
        assertSame(custom, c.scheduler());
        assertTrue(c.reduceOnPlateau());
        assertEquals(Optional.of("my_loss"), c.monitor());
    }

    @Test
    void reducelronplateauScheduling() {
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                log("foo", batchIdx);
                return super.trainingStep(batch, batchIdx);
            }

            @Override
            public Object configureOptimizers() {
                Adam a = adam(this);
                return Map.of("optimizer", a, "lr_scheduler", new ReduceLROnPlateau(a), "monitor", "foo");
            }
        };
        Trainer t = trainer().fastDevRun(true).build();
        t.fit(model, BoringModel.data(4));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("scheduler", "ReduceLROnPlateau");
        expected.put("name", null);
        expected.put("interval", "epoch");
        expected.put("frequency", 1);
        expected.put("reduce_on_plateau", true);
        expected.put("monitor", "foo");
        expected.put("strict", true);
        assertEquals(List.of(expected), t.lrSchedulerConfigs().stream().map(LRSchedulerConfig::describe).toList());
    }

    private static void assertDefaultConfig(LRSchedulerConfig c, LRScheduler scheduler) {
        assertSame(scheduler, c.scheduler());
        assertEquals(Interval.EPOCH, c.interval());
        assertEquals(1, c.frequency());
        assertEquals(false, c.reduceOnPlateau());
        assertEquals(Optional.empty(), c.monitor());
        assertEquals(true, c.strict());
        assertEquals(Optional.empty(), c.name());
    }

    /** Java has no tuples: Lightning's tuple shapes are the list shapes here. */
    @Test
    void optimizerReturnOptions() {
        BoringModel model = new BoringModel();
        Adam optA = new Adam(model.parameters(), new AdamOptions(0.002));
        SGD optB = new SGD(model.parameters(), new SGDOptions(0.002));
        StepLR schedulerA = new StepLR(optA, 10);

        OptimizerSetup single = OptimizerSetup.parse(optA, true);
        assertEquals(List.of(optA), single.optimizers());
        assertEquals(0, single.schedulerConfigs().size());

        OptimizerSetup two = OptimizerSetup.parse(List.of(optA, optB), false);
        assertEquals(List.of(optA, optB), two.optimizers());
        assertEquals(0, two.schedulerConfigs().size());

        for (Object shape : List.of(List.of(List.of(optA), List.of(schedulerA)), List.of(List.of(optA), schedulerA),
                Map.of("optimizer", optA, "lr_scheduler", schedulerA))) {
            OptimizerSetup s = OptimizerSetup.parse(shape, true);
            assertEquals(List.of(optA), s.optimizers());
            assertEquals(1, s.schedulerConfigs().size());
            assertDefaultConfig(s.schedulerConfigs().get(0), schedulerA);
        }

        OptimizerSetup dicts = OptimizerSetup.parse(List.of(Map.of("optimizer", optA, "lr_scheduler", schedulerA),
                Map.of("optimizer", optB, "lr_scheduler", schedulerA)), false);
        assertEquals(List.of(optA, optB), dicts.optimizers());
        assertEquals(2, dicts.schedulerConfigs().size());
        dicts.schedulerConfigs().forEach(c -> assertDefaultConfig(c, schedulerA));
    }

    @Test
    void noneOptimizer() {
        BoringModel model = returning(m -> null);
        Trainer t = trainer().maxEpochs(1).limitTrainBatches(4).limitValBatches(2).build();
        try (LogCapture log = LogCapture.capture()) {
            t.fit(model, BoringModel.data(64), BoringModel.data(64));
            assertEquals(1, log.matching("will run with no optimizer").size());
        }
        // training_step and backward still run and global_step still counts
        assertEquals(4, t.globalStep());
    }

    @Test
    void configureOptimizerFromDict() {
        BoringModel model = returning(m -> Map.of("optimizer", new SGD(m.parameters(), new SGDOptions(1e-3))));
        Trainer t = trainer().fastDevRun(true).build();
        t.fit(model, BoringModel.data(4));
        assertEquals(1, t.globalStep());
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "test", "predict"})
    void initOptimizersDuringEvaluationAndPrediction(String fn) {
        BoringModel model = new BoringModel() {
            @Override
            public void testStep(Batch batch, int batchIdx) {
                step(batch);
            }

            @Override
            public Tensor predictStep(Batch batch, int batchIdx) {
                return forward(batch.x());
            }

            @Override
            public Object configureOptimizers() {
                Adam a = adam(this);
                Adam b = adam(this);
                return List.of(List.of(a, b), List.of(new StepLR(a, 1), new StepLR(b, 1)));
            }
        };
        Trainer t = trainer().limitValBatches(2).limitTestBatches(2).limitPredictBatches(2).build();
        switch (fn) {
            case "validate" -> t.validate(model, BoringModel.data(4));
            case "test" -> t.test(model, BoringModel.data(4));
            default -> t.predict(model, BoringModel.data(4)).forEach(Tensor::close);
        }
        assertEquals(0, t.lrSchedulerConfigs().size());
        assertEquals(0, t.optimizers().size());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void lrSchedulerStrict(boolean completeEpoch) {
        CountingPlateau[] plateau = new CountingPlateau[1];
        boolean[] strict = {true};
        BoringModel model = returning(m -> {
            Adam a = adam(m);
            plateau[0] = new CountingPlateau(a);
            return Map.of("optimizer", a, "lr_scheduler",
                    Map.of("scheduler", plateau[0], "monitor", "giraffe", "strict", strict[0]));
        });
        TrainerConfig.Builder b = trainer().limitTrainBatches(2).limitValBatches(1);
        if (completeEpoch) {
            b.maxEpochs(1);
        } else {
            b.maxSteps(1);
        }
        if (completeEpoch) {
            var e = assertThrows(MisconfigurationException.class,
                    () -> b.build().fit(model, BoringModel.data(4), BoringModel.data(4)));
            assertTrue(e.getMessage().matches("(?s)ReduceLROnPlateau conditioned on metric .* which is not available\\."
                    + " Available metrics are:.*"), e.getMessage());
        } else {
            b.build().fit(model, BoringModel.data(4), BoringModel.data(4));
        }
        assertEquals(0, plateau[0].calls());

        strict[0] = false;
        if (completeEpoch) {
            try (LogCapture log = LogCapture.capture()) {
                b.build().fit(model, BoringModel.data(4), BoringModel.data(4));
                assertTrue(log.warnings().stream().anyMatch(w -> w.matches(
                        "ReduceLROnPlateau conditioned on metric .* which is not available but strict.*")),
                        log.warnings().toString());
            }
            assertEquals(0, plateau[0].calls());
        }
    }

    @Test
    void unknownConfigureOptimizersRaises() {
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(returning(m -> 1), BoringModel.data(4)));
        assertMessage(e, "Unknown configuration for model optimizers");
    }

    private static Map<String, Object> dictWithExtraKeys(Optimizer o) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("optimizer", o);
        d.put("lr_scheduler", Map.of("scheduler", new StepLR(o, 1)));
        d.put("foo", 1);
        d.put("bar", 2);
        return d;
    }

    /** Lightning warns and drops the keys; JLightning rejects them, naming the first and the accepted keys. */
    @Test
    void optimizerConfigDictWithExtraKeysWarns() {
        Adam a = adam(new BoringModel());
        var e = assertThrows(MisconfigurationException.class,
                () -> OptimizerSetup.parse(dictWithExtraKeys(a), true));
        assertMessage(e, "Found unsupported key 'foo' in the optimizer configuration.");
        assertMessage(e, "Accepted keys: [optimizer, lr_scheduler, monitor]");
    }

    /** Stricter than Lightning, as {@link #optimizerConfigDictWithExtraKeysWarns()}. */
    @Test
    void multipleOptimizerConfigDictsWithExtraKeysWarns() {
        BoringModel m = new BoringModel();
        var e = assertThrows(MisconfigurationException.class, () -> OptimizerSetup.parse(
                List.of(dictWithExtraKeys(adam(m)), dictWithExtraKeys(adam(m))), false));
        assertMessage(e, "Found unsupported key 'foo' in the optimizer configuration.");
    }

    @Test
    void lrSchedulerWithUnknownIntervalRaises() {
        BoringModel model = returning(m -> {
            Adam a = adam(m);
            return Map.of("optimizer", a, "lr_scheduler",
                    Map.of("scheduler", new StepLR(a, 1), "interval", "incorrect_unknown_value"));
        });
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "The \"interval\" key in lr scheduler dict must be");
    }

    /** Lightning warns "Found unsupported keys in the lr scheduler dict"; JLightning rejects them. */
    @Test
    void lrSchedulerWithExtraKeysWarns() {
        BoringModel model = returning(m -> {
            Adam a = adam(m);
            Map<String, Object> sched = new LinkedHashMap<>();
            sched.put("scheduler", new StepLR(a, 1));
            sched.put("foo", 1);
            sched.put("bar", 2);
            return Map.of("optimizer", a, "lr_scheduler", sched);
        });
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "Found unsupported key 'foo' in the lr scheduler dict.");
        assertMessage(e, "Accepted keys: [scheduler, name, interval, frequency, reduce_on_plateau, monitor, strict]");
    }

    @Test
    void lrSchedulerWithNoActualSchedulerRaises() {
        BoringModel model = returning(m -> Map.of("optimizer", adam(m), "lr_scheduler", Map.of()));
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "The lr scheduler dict must have the key \"scheduler\"");
    }

    @Test
    void invalidOptimizerInScheduler() {
        BoringModel model = returning(m -> {
            SGD opt1 = new SGD(m.parameters(), new SGDOptions(0.1));
            SGD opt2 = new SGD(m.parameters(), new SGDOptions(0.1));
            return List.of(List.of(opt1), List.of(new StepLR(opt2, 1)));
        });
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "attached with an optimizer that wasn't returned");
    }

    @Test
    void invalidOptimizerDictRaises() {
        BoringModel model = returning(m -> List.of(Map.of("optimizer", adam(m)), adam(m)));
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "Unknown configuration for model optimizers");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void lrSchedulerEpochStepFrequency(int checkValEveryNEpoch) {
        CountingStepLR[] spy = new CountingStepLR[1];
        BoringModel model = returning(m -> {
            SGD sgd = new SGD(m.parameters(), new SGDOptions(0.1));
            spy[0] = new CountingStepLR(sgd, 1);
            return List.of(List.of(sgd), List.of(spy[0]));
        });
        trainer().maxEpochs(4).limitTrainBatches(2).limitValBatches(2).checkValEveryNEpoch(checkValEveryNEpoch)
                .build().fit(model, BoringModel.data(64), BoringModel.data(64));
        // one call in the constructor, one per epoch, however often validation runs
        assertEquals(5, spy[0].calls());
    }

    /**
     * The stepping-order part of Lightning's test (its checkpoint part waits for ModelCheckpoint): at train epoch end,
     * where an end-of-epoch checkpoint is saved, the step-interval plateau scheduler has stepped for all 4 batches;
     * at validation end (the other place a checkpoint is saved) the last batch's plateau step is still to come,
     * because it runs after validation. The step-interval StepLR has stepped 4 times at both points.
     */
    @Test
    void plateauSchedulerLrStepIntervalUpdatedAfterSaving() {
        ReduceLROnPlateau[] plateau = new ReduceLROnPlateau[1];
        StepLR[] stepLr = new StepLR[1];
        BoringModel model = new BoringModel() {
            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                log("foo", batchIdx);
                return super.trainingStep(batch, batchIdx);
            }

            @Override
            public Object configureOptimizers() {
                Adam a = adam(this);
                plateau[0] = new ReduceLROnPlateau(a);
                stepLr[0] = new StepLR(a, 1);
                return List.of(List.of(a), List.of(
                        Map.of("scheduler", plateau[0], "interval", "step", "monitor", "foo"),
                        Map.of("scheduler", stepLr[0], "interval", "step")));
            }
        };
        List<String> seen = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onValidationEnd(Trainer t, LightningModule m) {
                if (!t.sanityChecking()) {
                    seen.add("validation_end plateau=" + plateau[0].lastEpoch() + " steplr=" + stepLr[0].lastEpoch());
                }
            }

            @Override
            public void onTrainEpochEnd(Trainer t, LightningModule m) {
                seen.add("train_epoch_end plateau=" + plateau[0].lastEpoch() + " steplr=" + stepLr[0].lastEpoch());
            }
        };
        trainer().maxEpochs(1).limitTrainBatches(4).limitValBatches(1).callbacks(probe).build()
                .fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(List.of("validation_end plateau=3 steplr=4", "train_epoch_end plateau=4 steplr=4"), seen);
    }

    /** Lightning's custom object has step(epoch) and no torch base class; in Java it subclasses LRScheduler. */
    static final class CustomEpochScheduler extends LRScheduler {
        final List<Double> epochs = new ArrayList<>();

        CustomEpochScheduler(Optimizer optimizer) {
            super(optimizer);
            initialStep();
        }

        @Override
        protected double[] getLr() {
            return groupLrs();
        }

        @Override
        @SuppressWarnings("deprecation")
        public void step(double epoch) {
            epochs.add(epoch);
        }
    }

    @Test
    void lrSchedulerStepHook() {
        CountingStepLR[] spy = new CountingStepLR[1];
        CustomEpochScheduler[] custom = new CustomEpochScheduler[1];
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(1e-2));
                spy[0] = new CountingStepLR(sgd, 1);
                custom[0] = new CustomEpochScheduler(sgd);
                return List.of(List.of(sgd), List.of(Map.of("scheduler", spy[0], "interval", "step"),
                        Map.of("scheduler", custom[0])));
            }

            @Override
            @SuppressWarnings("deprecation")
            public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
                if (scheduler instanceof CustomEpochScheduler) {
                    scheduler.step(trainer().orElseThrow().currentEpoch());
                } else {
                    super.lrSchedulerStep(scheduler, metric);
                }
            }
        };
        trainer().maxEpochs(3).limitTrainBatches(2).limitValBatches(0).build().fit(model, BoringModel.data(64));
        assertEquals(List.of(0.0, 1.0, 2.0), custom[0].epochs);
        assertEquals(3 * 2 + 1, spy[0].calls());
    }

    /** Lightning raises TypeError for a scheduler without state_dict; in Java such an object is no LRScheduler. */
    @Test
    void invalidSchedulerMissingStateDict() {
        final class CustomScheduler {
        }
        BoringModel model = returning(m -> List.of(List.of(adam(m)), List.of(new CustomScheduler())));
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().fastDevRun(true).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "The lr scheduler item must be an LRScheduler");
        assertMessage(e, "CustomScheduler");
    }

    /**
     * Lightning rejects a scheduler that does not follow its API unless lr_scheduler_step is overridden. A Java
     * scheduler is an LRScheduler by type, so the API always holds; anything else is rejected, override or not.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void invalidLrSchedulerWithCustomStepMethod(boolean override) {
        final class CustomScheduler {
            @SuppressWarnings("unused")
            void step(Object foobar) {
            }
        }
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                Adam a = adam(this);
                return List.of(List.of(a), List.of(Map.of("scheduler", new CustomScheduler())));
            }

            @Override
            public void lrSchedulerStep(LRScheduler scheduler, OptionalDouble metric) {
                if (!override) {
                    super.lrSchedulerStep(scheduler, metric);
                }
            }
        };
        var e = assertThrows(MisconfigurationException.class,
                () -> trainer().maxEpochs(0).build().fit(model, BoringModel.data(4)));
        assertMessage(e, "must have the key \"scheduler\" with its item being an lr scheduler; got CustomScheduler");
    }
}
