package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adagrad;
import org.bytedeco.pytorch.AdagradOptions;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lightning's {@code tests_pytorch/callbacks/test_lr_monitor.py}, one test per Lightning test, on the same models
 * (BoringModel: {@code Linear(32, 2)}, 64 batches of one sample) and Trainer settings.
 */
class LearningRateMonitorTest {

    @TempDir
    Path dir;

    private TrainerConfig.Builder trainer(Callback... callbacks) {
        return Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(CSVLogger.of(dir)).callbacks(callbacks);
    }

    private static Optimizer sgdOrAdam(String opt, TensorVector params) {
        return "SGD".equals(opt) ? Optimizers.sgd(1e-2).momentum(0.9).params(params).build()
                : Optimizers.adam(1e-2).betas(0.9, 0.999).params(params).build();
    }

    @Test
    void lrMonitorSingleLr() {
        LearningRateMonitor monitor = new LearningRateMonitor();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(0.1).limitTrainBatches(0.5).build();
        t.fit(new BoringModel(), BoringModel.data(64), BoringModel.data(64));
        assertFalse(monitor.lrs().get("lr-SGD").isEmpty(), "No learning rates logged");
        // momentum and weight decay are not logged by default
        assertTrue(monitor.lastMomentumValues().isEmpty());
        assertTrue(monitor.lastWeightDecayValues().isEmpty());
        assertEquals(t.lrSchedulerConfigs().size(), monitor.lrs().size());
        assertEquals(List.of("lr-SGD"), List.copyOf(monitor.lrs().keySet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SGD", "Adam"})
    void lrMonitorSingleLrWithMomentum(String opt) {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                Optimizer optimizer = sgdOrAdam(opt, parameters());
                OneCycleLR scheduler = OneCycleLR.builder(optimizer).maxLr(1e-2).totalSteps(10_000).build();
                return List.of(List.of(optimizer), List.of(scheduler));
            }
        };
        LearningRateMonitor monitor = LearningRateMonitor.builder().logMomentum(true).logWeightDecay(true).build();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(2).limitTrainBatches(5).logEveryNSteps(1).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(List.of("lr-" + opt + "-momentum"), List.copyOf(monitor.lastMomentumValues().keySet()));
        assertEquals(t.lrSchedulerConfigs().size(), monitor.lastMomentumValues().size());
        assertEquals(List.of("lr-" + opt + "-weight_decay"), List.copyOf(monitor.lastWeightDecayValues().keySet()));
        assertEquals(t.lrSchedulerConfigs().size(), monitor.lastWeightDecayValues().size());
    }

    /** Lightning uses ASGD, which LibTorch does not have; Adagrad is another optimizer with neither momentum nor betas. */
    @Test
    void logMomentumNoMomentumOptimizer() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                Adagrad optimizer = new Adagrad(parameters(), new AdagradOptions(1e-2));
                return List.of(List.of(optimizer), List.of(new StepLR(optimizer, 1)));
            }
        };
        LearningRateMonitor monitor = LearningRateMonitor.builder().logMomentum(true).build();
        Trainer t = trainer(monitor).maxEpochs(1).limitValBatches(2).limitTrainBatches(5).logEveryNSteps(1).build();
        try (LogCapture log = LogCapture.capture()) {
            t.fit(model, BoringModel.data(64), BoringModel.data(64));
            assertEquals(1, log.matching("optimizers do not have momentum.").size(), log.warnings().toString());
        }
        assertTrue(monitor.lastMomentumValues().values().stream().allMatch(v -> v.doubleValue() == 0));
        assertEquals(t.lrSchedulerConfigs().size(), monitor.lastMomentumValues().size());
        assertEquals(List.of("lr-Adagrad-momentum"), List.copyOf(monitor.lastMomentumValues().keySet()));
    }

    @Test
    void lrMonitorNoLrSchedulerSingleLr() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                return new SGD(parameters(), new SGDOptions(0.1));
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(0.1).limitTrainBatches(0.5).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        assertFalse(monitor.lrs().get("lr-SGD").isEmpty(), "No learning rates logged");
        assertEquals(t.optimizers().size(), monitor.lrs().size());
        assertEquals(List.of("lr-SGD"), List.copyOf(monitor.lrs().keySet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SGD", "Adam"})
    void lrMonitorNoLrSchedulerSingleLrWithMomentum(String opt) {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                return List.of(sgdOrAdam(opt, parameters()));
            }
        };
        LearningRateMonitor monitor = LearningRateMonitor.builder().logMomentum(true).build();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(2).limitTrainBatches(5).logEveryNSteps(1).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(t.optimizers().size(), monitor.lastMomentumValues().size());
        assertEquals(List.of("lr-" + opt + "-momentum"), List.copyOf(monitor.lastMomentumValues().keySet()));
        assertEquals(0.9, monitor.lastMomentumValues().get("lr-" + opt + "-momentum").doubleValue(), 1e-12);
    }

    /** ASGD in Lightning; Adagrad here (see {@link #logMomentumNoMomentumOptimizer()}). */
    @Test
    void logMomentumNoMomentumOptimizerNoLrScheduler() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                return List.of(new Adagrad(parameters(), new AdagradOptions(1e-2)));
            }
        };
        LearningRateMonitor monitor = LearningRateMonitor.builder().logMomentum(true).build();
        Trainer t = trainer(monitor).maxEpochs(1).limitValBatches(2).limitTrainBatches(5).logEveryNSteps(1).build();
        try (LogCapture log = LogCapture.capture()) {
            t.fit(model, BoringModel.data(64), BoringModel.data(64));
            assertEquals(1, log.matching("optimizers do not have momentum.").size(), log.warnings().toString());
        }
        assertTrue(monitor.lastMomentumValues().values().stream().allMatch(v -> v.doubleValue() == 0));
        assertEquals(t.optimizers().size(), monitor.lastMomentumValues().size());
        assertEquals(List.of("lr-Adagrad-momentum"), List.copyOf(monitor.lastMomentumValues().keySet()));
    }

    @Test
    void lrMonitorNoLogger() {
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").maxEpochs(1).logger(false)
                .callbacks(new LearningRateMonitor()).build();
        var e = assertThrows(MisconfigurationException.class, () -> t.fit(new BoringModel(), BoringModel.data(64)));
        assertTrue(e.getMessage().contains("`Trainer` that has no logger"), e.getMessage());
    }

    /** Two Adams stepped by hand, as in Lightning's multi-optimizer test module. */
    private static class TwoAdams extends BoringModel {
        private final boolean withSchedulers;

        TwoAdams(boolean withSchedulers) {
            this.withSchedulers = withSchedulers;
            automaticOptimization(false);
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            for (LightningOptimizer opt : optimizers()) {
                Tensor loss = step(batch);
                opt.zeroGrad();
                manualBackward(loss);
                opt.step();
            }
            return null;
        }

        @Override
        public void onTrainEpochEnd() {
            for (LRScheduler s : lrSchedulers()) {
                s.step();
            }
        }

        @Override
        public Object configureOptimizers() {
            Adam a = new Adam(parameters(), new AdamOptions(1e-2));
            Adam b = new Adam(parameters(), new AdamOptions(1e-2));
            if (!withSchedulers) {
                return List.of(a, b);
            }
            return List.of(List.of(a, b), List.of(new StepLR(a, 1, 0.1), new StepLR(b, 1, 0.1)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"step", "epoch"})
    void lrMonitorMultiLrs(String loggingInterval) {
        multiLrs(loggingInterval, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"step", "epoch"})
    void lrMonitorNoLrSchedulerMultiLrs(String loggingInterval) {
        multiLrs(loggingInterval, false);
    }

    private void multiLrs(String loggingInterval, boolean withSchedulers) {
        LearningRateMonitor monitor = LearningRateMonitor.builder().loggingInterval(loggingInterval).build();
        int logEveryNSteps = 2;
        Trainer t = trainer(monitor).maxEpochs(2).logEveryNSteps(logEveryNSteps).limitTrainBatches(7)
                .limitValBatches(0.1).build();
        t.fit(new TwoAdams(withSchedulers), BoringModel.data(64), BoringModel.data(64));
        assertEquals(withSchedulers ? t.lrSchedulerConfigs().size() : t.optimizers().size(), monitor.lrs().size());
        assertEquals(List.of("lr-Adam", "lr-Adam-1"), List.copyOf(monitor.lrs().keySet()));
        // both optimizers step every batch, so global_step is twice the batches: 28; the logger step counter is 14
        assertEquals(28, t.globalStep());
        long expected = "step".equals(loggingInterval) ? t.globalStep() / 2 / logEveryNSteps : 2;
        for (List<Number> lrs : monitor.lrs().values()) {
            assertEquals(expected, lrs.size());
        }
    }

    @Test
    void lrMonitorParamGroups() {
        Mlp model = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                List<Tensor> params = new ArrayList<>();
                TensorVector all = parameters();
                for (long i = 0; i < all.size(); i++) {
                    params.add(all.get(i));
                }
                Adam adam = Optimizers.adam(lr)
                        .group(params.subList(0, 2), g -> g.lr(lr * 0.1))
                        .group(params.subList(2, params.size()), g -> g.lr(lr))
                        .build();
                all.close();
                return List.of(List.of(adam), List.of(new StepLR(adam, 1, 0.1)));
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(0.1).limitTrainBatches(0.5).build();
        t.fit(model, Data.loader(200, 4, 10), Data.loader(100, 4, 10));
        assertEquals(2 * t.lrSchedulerConfigs().size(), monitor.lrs().size());
        assertEquals(List.of("lr-Adam/pg1", "lr-Adam/pg2"), List.copyOf(monitor.lrs().keySet()));
        assertEquals(List.of(0.010000000000000002, 0.0010000000000000002), monitor.lrs().get("lr-Adam/pg1"));
    }

    @Test
    void lrMonitorCustomName() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                return List.of(List.of(sgd), List.of(Map.of("scheduler", new StepLR(sgd, 1), "name",
                        "my_logging_name")));
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        trainer(monitor).maxEpochs(2).limitValBatches(0.1).limitTrainBatches(0.5).build()
                .fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(List.of("my_logging_name"), List.copyOf(monitor.lrs().keySet()));
    }

    @Test
    void lrMonitorCustomPgName() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = Optimizers.sgd(0.1).group("linear", layer.parameters()).build();
                return List.of(List.of(sgd), List.of(new StepLR(sgd, 1)));
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        trainer(monitor).maxEpochs(2).limitValBatches(2).limitTrainBatches(2).build()
                .fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(List.of("lr-SGD/linear"), List.copyOf(monitor.lrs().keySet()));
    }

    @Test
    void lrMonitorDuplicateCustomPgNames() {
        BoringModel model = new BoringModel() {
            final LinearImpl linearA = register_module("linear_a", new LinearImpl(32, 16));
            final LinearImpl linearB = register_module("linear_b", new LinearImpl(16, 2));

            @Override
            public Tensor forward(Tensor x) {
                return linearB.forward(linearA.forward(x));
            }

            @Override
            public Object configureOptimizers() {
                SGD sgd = Optimizers.sgd(0.1).group("linear", linearA.parameters())
                        .group("linear", linearB.parameters()).build();
                return List.of(List.of(sgd), List.of(new StepLR(sgd, 1)));
            }
        };
        Trainer t = trainer(new LearningRateMonitor()).maxEpochs(2).limitValBatches(2).limitTrainBatches(2).build();
        var e = assertThrows(MisconfigurationException.class,
                () -> t.fit(model, BoringModel.data(64), BoringModel.data(64)));
        assertTrue(e.getMessage().contains("A single `Optimizer` cannot have multiple parameter groups with identical"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("lr-SGD has duplicated parameter group names {'linear'}"), e.getMessage());
    }

    /**
     * Lightning's version freezes backbone layers with {@code BackboneFinetuning} and unfreezes them into new param
     * groups at epoch starts; JLightning has no finetuning callback yet, so a small callback does the same
     * (requires_grad off before the optimizers are built, {@code add_param_group} with lr 0.1 later).
     */
    @Test
    void multipleOptimizersBasefinetuning() {
        final class Backbone extends BoringModel {
            final LinearImpl b0 = register_module("b0", new LinearImpl(32, 32));
            final LinearImpl b1 = register_module("b1", new LinearImpl(32, 32));
            final LinearImpl b2 = register_module("b2", new LinearImpl(32, 32));

            Backbone() {
                automaticOptimization(false);
            }

            @Override
            public Tensor forward(Tensor x) {
                return layer.forward(org.bytedeco.pytorch.global.torch.relu(b2.forward(b1.forward(b0.forward(x)))));
            }

            @Override
            public Tensor trainingStep(Batch batch, int batchIdx) {
                for (LightningOptimizer opt : optimizers()) {
                    manualBackward(step(batch));
                    opt.step();
                    opt.zeroGrad();
                }
                return null;
            }

            @Override
            public void onTrainEpochEnd() {
                for (LRScheduler s : lrSchedulers()) {
                    s.step();
                }
            }

            @Override
            public Object configureOptimizers() {
                List<Tensor> trainable = new ArrayList<>();
                TensorVector all = parameters();
                for (long i = 0; i < all.size(); i++) {
                    if (all.get(i).requires_grad()) {
                        trainable.add(all.get(i));
                    }
                }
                SGD opt1 = Optimizers.sgd(0.1).params(trainable).build();
                Adam opt2 = Optimizers.adam(0.1).params(trainable).build();
                AdamW opt3 = Optimizers.adamW(0.1).params(trainable).build();
                all.close();
                return List.of(List.of(opt1, opt2, opt3), List.of(new StepLR(opt1, 1, 0.5), new StepLR(opt2, 1, 0.5)));
            }
        }
        Backbone model = new Backbone();
        Callback finetuning = new Callback() {
            @Override
            public void setup(Trainer trainer, LightningModule module, String stage) {
                setTrainable(model.b0, false);
                setTrainable(model.b1, false);
                setTrainable(model.layer, false);
            }

            @Override
            public void onTrainEpochStart(Trainer trainer, LightningModule module) {
                int epoch = trainer.currentEpoch();
                for (Optimizer optimizer : trainer.optimizers()) {
                    if (epoch == 1 && optimizer instanceof SGD) {
                        unfreezeAndAddParamGroup(model.b0, optimizer);
                    }
                    if (epoch == 2 && optimizer instanceof Adam) {
                        unfreezeAndAddParamGroup(model.layer, optimizer);
                    }
                    if (epoch == 3 && optimizer instanceof Adam) {
                        assertEquals(2, optimizer.param_groups().size());
                        unfreezeAndAddParamGroup(model.b1, optimizer);
                        assertEquals(3, optimizer.param_groups().size());
                    }
                }
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        List<List<String>> keysAtEpochStart = new ArrayList<>();
        Callback check = new Callback() {
            @Override
            public void onTrainEpochStart(Trainer trainer, LightningModule module) {
                keysAtEpochStart.add(List.copyOf(monitor.lrs().keySet()));
            }
        };
        trainer(finetuning, monitor, check).maxEpochs(5).limitValBatches(0).limitTrainBatches(2).build()
                .fit(model, BoringModel.data(64));

        assertEquals(List.of("lr-SGD", "lr-Adam", "lr-AdamW"), keysAtEpochStart.get(0));
        assertEquals(List.of("lr-Adam", "lr-AdamW", "lr-SGD/pg1", "lr-SGD/pg2"), keysAtEpochStart.get(1));
        assertEquals(List.of("lr-AdamW", "lr-SGD/pg1", "lr-SGD/pg2", "lr-Adam/pg1", "lr-Adam/pg2"),
                keysAtEpochStart.get(2));
        List<String> later = List.of("lr-AdamW", "lr-SGD/pg1", "lr-SGD/pg2", "lr-Adam/pg1", "lr-Adam/pg2",
                "lr-Adam/pg3");
        assertEquals(later, keysAtEpochStart.get(3));
        assertEquals(later, keysAtEpochStart.get(4));

        Map<String, List<Number>> lrs = monitor.lrs();
        assertEquals(List.of(0.1, 0.1, 0.1, 0.1, 0.1), lrs.get("lr-AdamW"));
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125, 0.00625), lrs.get("lr-SGD/pg1"));
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125), lrs.get("lr-SGD/pg2"));
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125, 0.00625), lrs.get("lr-Adam/pg1"));
        assertEquals(List.of(0.1, 0.05, 0.025), lrs.get("lr-Adam/pg2"));
        assertEquals(List.of(0.1, 0.05), lrs.get("lr-Adam/pg3"));
    }

    private static void setTrainable(org.bytedeco.pytorch.Module module, boolean trainable) {
        TensorVector params = module.parameters();
        for (long i = 0; i < params.size(); i++) {
            params.get(i).requires_grad_(trainable);
        }
        params.close();
    }

    /** BaseFinetuning.unfreeze_and_add_param_group(modules, optimizer, lr=0.1). */
    private static void unfreezeAndAddParamGroup(org.bytedeco.pytorch.Module module, Optimizer optimizer) {
        setTrainable(module, true);
        try (TensorVector params = module.parameters();
                OptimizerParamGroup group = new OptimizerParamGroup(params)) {
            optimizer.add_param_group(group);
        }
        long last = optimizer.param_groups().size() - 1;
        optimizer.param_groups().get(last).options().set_lr(0.1);
    }

    @Test
    void lrMonitorMultipleParamGroupsNoLrScheduler() {
        double lr = 1e-2;
        double momentum = 0.7;
        double weightDecay = 0.1;
        BoringModel model = new BoringModel() {
            final LinearImpl linearA = register_module("linear_a", new LinearImpl(32, 16));
            final LinearImpl linearB = register_module("linear_b", new LinearImpl(16, 2));

            @Override
            public Tensor forward(Tensor x) {
                return linearB.forward(linearA.forward(x));
            }

            @Override
            public Object configureOptimizers() {
                return Optimizers.adam(lr).betas(momentum, 0.999)
                        .group(linearA.parameters(), g -> g.weightDecay(weightDecay))
                        .group(linearB.parameters(), g -> g.weightDecay(weightDecay))
                        .build();
            }
        };
        LearningRateMonitor monitor = LearningRateMonitor.builder().logMomentum(true).logWeightDecay(true).build();
        Trainer t = trainer(monitor).maxEpochs(2).limitValBatches(2).limitTrainBatches(2).build();
        t.fit(model, BoringModel.data(64), BoringModel.data(64));
        assertEquals(t.optimizers().get(0).param_groups().size(), monitor.lrs().size());
        assertEquals(List.of("lr-Adam/pg1", "lr-Adam/pg2"), List.copyOf(monitor.lrs().keySet()));
        assertEquals(List.of("lr-Adam/pg1-momentum", "lr-Adam/pg2-momentum"),
                List.copyOf(monitor.lastMomentumValues().keySet()));
        assertTrue(monitor.lastMomentumValues().values().stream().allMatch(v -> v.doubleValue() == momentum));
        assertEquals(List.of("lr-Adam/pg1-weight_decay", "lr-Adam/pg2-weight_decay"),
                List.copyOf(monitor.lastWeightDecayValues().keySet()));
        assertTrue(monitor.lastWeightDecayValues().values().stream().allMatch(v -> v.doubleValue() == weightDecay));
        assertTrue(monitor.lrs().values().stream().flatMap(List::stream).allMatch(v -> v.doubleValue() == lr));
    }

    /**
     * Lightning pairs the monitor with {@code EarlyStopping(monitor="lr-SGD", stopping_threshold=0.02)}; JLightning's
     * EarlyStopping is not written yet, so a monitoring callback applies the same threshold rule at train epoch end.
     */
    @Test
    void lrMonitorUpdateCallbackMetrics() {
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(layer.parameters(), new SGDOptions(0.1));
                return List.of(List.of(sgd), List.of(new StepLR(sgd, 1, 0.5)));
            }
        };
        String monitorKey = "lr-SGD";
        double stopThreshold = 0.02;
        int expectedStopEpoch = 3;
        int[] stoppedEpoch = {-1};
        Callback thresholdStop = new Callback() {
            @Override
            public boolean isMonitoring() {
                return true;
            }

            @Override
            public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
                Double current = trainer.callbackMetrics().get(monitorKey);
                if (current != null && current < stopThreshold) {
                    trainer.shouldStop(true);
                    stoppedEpoch[0] = trainer.currentEpoch();
                }
            }
        };
        LearningRateMonitor monitor = new LearningRateMonitor();
        Trainer t = trainer(monitor, thresholdStop).maxEpochs(5).limitValBatches(0).limitTrainBatches(2).build();
        t.fit(model, BoringModel.data(64));
        assertTrue(t.callbackMetrics().containsKey(monitorKey));
        List<Number> history = monitor.lrs().get(monitorKey);
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125), history);
        assertTrue(history.subList(0, expectedStopEpoch).stream().allMatch(v -> v.doubleValue() > stopThreshold));
        assertEquals(1, history.subList(expectedStopEpoch, history.size()).size());
        assertTrue(history.get(expectedStopEpoch).doubleValue() < stopThreshold);
        assertEquals(expectedStopEpoch, t.currentEpoch() - 1);
        assertEquals(expectedStopEpoch, stoppedEpoch[0]);
    }

    /** Lightning's fast_dev_run swaps the loggers for a DummyLogger: the monitor runs and nothing is written. */
    @Test
    void fastDevRunKeepsALoggerForTheMonitorButWritesNothing() {
        LearningRateMonitor monitor = new LearningRateMonitor();
        trainer(monitor).fastDevRun(true).build().fit(new BoringModel(), BoringModel.data(4));
        assertEquals(List.of(0.1), monitor.lrs().get("lr-SGD"));
        assertFalse(java.nio.file.Files.exists(dir.resolve("lightning_logs")));
    }

    @Test
    void loggingIntervalOtherThanStepOrEpochIsRejectedImmediately() {
        var e = assertThrows(MisconfigurationException.class,
                () -> LearningRateMonitor.builder().loggingInterval("batch"));
        assertTrue(e.getMessage().startsWith("logging_interval should be `step` or `epoch` or `None`"), e.getMessage());
    }
}
