package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configurations that cannot work fail when {@code fit} starts, before the first batch, with a message naming the key
 * and the fix; JLightning is stricter than Lightning wherever Lightning silently misbehaves (a misspelled key dropped
 * with a warning, {@code frequency=0} failing mid-training, a top-level monitor ignored).
 */
class SchedulerConfigValidationTest {

    @TempDir
    Path dir;

    /** Fits a model whose configureOptimizers is given and returns the error, asserting no batch ran. */
    private MisconfigurationException fitFails(Function<Mlp, Object> conf) {
        int[] batches = {0};
        Callback counter = new Callback() {
            @Override
            public void onTrainBatchStart(Trainer t, LightningModule m, Batch b, int i) {
                batches[0]++;
            }
        };
        Mlp model = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                return conf.apply(this);
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).accelerator("cpu").logger(false).maxEpochs(2)
                .callbacks(counter).build();
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> t.fit(model, Data.loader(40, 4, 10)));
        assertEquals(0, batches[0], "the error must come before the first batch");
        return e;
    }

    private static SGD sgd(Mlp m) {
        return new SGD(m.parameters(), new SGDOptions(0.1));
    }

    private static void assertMessage(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource({"intervall, interval", "Interval, interval", "frequncy, frequency", "monitr, monitor",
            "reduce_on_platau, reduce_on_plateau", "stirct, strict", "sheduler, scheduler"})
    void misspelledSchedulerKeyIsAnErrorSuggestingTheClosestKey(String typo, String key) {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            Map<String, Object> sched = new LinkedHashMap<>();
            sched.put("scheduler", new StepLR(o, 1));
            sched.put(typo, "step");
            return Map.of("optimizer", o, "lr_scheduler", sched);
        });
        assertMessage(e, "Found unsupported key '" + typo + "' in the lr scheduler dict.",
                "Did you mean '" + key + "'?");
    }

    @Test
    void unknownSchedulerKeyListsTheAcceptedKeys() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return List.of(List.of(o), List.of(Map.of("scheduler", new StepLR(o, 1), "warmup", 5)));
        });
        assertMessage(e, "'warmup'", "Accepted keys: [scheduler, name, interval, frequency, reduce_on_plateau,"
                + " monitor, strict]");
    }

    @Test
    void misspelledKeyInManualOptimizationIsAnErrorToo() {
        Mlp model = new Mlp(4, 8, 0.1) {
            {
                automaticOptimization(false);
            }

            @Override
            public Object configureOptimizers() {
                SGD o = sgd(this);
                return List.of(List.of(o), List.of(Map.of("scheduler", new StepLR(o, 1), "nmae", "x")));
            }
        };
        var e = assertThrows(MisconfigurationException.class, () -> Trainer.builder().defaultRootDir(dir)
                .logger(false).maxEpochs(1).build().fit(model, Data.loader(40, 4, 10)));
        assertMessage(e, "'nmae'", "Did you mean 'name'?");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -3})
    void frequencyBelowOneIsRejectedAtConfigurationTime(int frequency) {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return Map.of("optimizer", o, "lr_scheduler", Map.of("scheduler", new StepLR(o, 1), "interval", "step",
                    "frequency", frequency));
        });
        assertMessage(e, "\"frequency\"", "positive integer (>= 1)", "but is " + frequency);
    }

    @Test
    void frequencyBelowOneIsRejectedByTheBuilder() {
        SGD o = sgd(new Mlp(4, 8, 0.1));
        var e = assertThrows(MisconfigurationException.class,
                () -> LRSchedulerConfig.builder(new StepLR(o, 1)).frequency(0));
        assertMessage(e, "\"frequency\"", "(>= 1)", "but is 0");
    }

    @Test
    void frequencyOfTheWrongTypeIsRejected() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return Map.of("optimizer", o, "lr_scheduler", Map.of("scheduler", new StepLR(o, 1), "frequency", "2"));
        });
        assertMessage(e, "\"frequency\"", "must be a positive integer but is 2 (String)");
    }

    @Test
    void intervalIsCaseSensitiveAsInLightning() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return Map.of("optimizer", o, "lr_scheduler", Map.of("scheduler", new StepLR(o, 1), "interval", "Step"));
        });
        assertEquals("The \"interval\" key in lr scheduler dict must be \"step\" or \"epoch\" but is \"Step\"",
                e.getMessage());
    }

    @Test
    void topLevelMonitorWithANonPlateauSchedulerIsAnError() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return Map.of("optimizer", o, "lr_scheduler", new StepLR(o, 1), "monitor", "val_loss");
        });
        assertMessage(e, "top-level \"monitor\": \"val_loss\"", "would be ignored", "StepLR",
                "{\"scheduler\": scheduler, \"monitor\": \"val_loss\"}");
    }

    @Test
    void topLevelMonitorNextToASchedulerConfigIsAnError() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return Map.of("optimizer", o, "monitor", "val_loss",
                    "lr_scheduler", Map.of("scheduler", ReduceLROnPlateau.builder(o).build(), "monitor", "train_loss"));
        });
        assertMessage(e, "would be ignored", "the lr_scheduler is a config, whose own \"monitor\" key is used");
    }

    @Test
    void topLevelMonitorWithoutSchedulerIsAnError() {
        MisconfigurationException e = fitFails(m -> Map.of("optimizer", sgd(m), "monitor", "val_loss"));
        assertMessage(e, "would be ignored", "there is no lr_scheduler");
    }

    @Test
    void topLevelMonitorInAListOfDictsIsAnError() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return List.of(Map.of("optimizer", o, "lr_scheduler", new ReduceLROnPlateau(o), "monitor", "val_loss"));
        });
        assertMessage(e, "would be ignored", "in a list of optimizer configurations the top-level \"monitor\" is"
                + " never read", "{\"scheduler\": scheduler, \"monitor\": \"val_loss\"}");
    }

    @Test
    void typedTopLevelMonitorWithANonPlateauSchedulerIsAnError() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return OptimizerConfig.builder(o).scheduler(new StepLR(o, 1)).monitor("val_loss").build();
        });
        assertMessage(e, "would be ignored", "StepLR");
    }

    @Test
    void topLevelMonitorWithABarePlateauIsUsed() {
        Mlp model = new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                SGD o = sgd(this);
                return Map.of("optimizer", o, "lr_scheduler", new ReduceLROnPlateau(o), "monitor", "train_loss");
            }
        };
        Trainer t = Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(1).build();
        t.fit(model, Data.loader(40, 4, 10));
        assertEquals(java.util.Optional.of("train_loss"), t.lrSchedulerConfigs().get(0).monitor());
    }

    @Test
    void schedulerOnAnOptimizerThatWasNotReturnedIsAnError() {
        MisconfigurationException e = fitFails(m -> {
            SGD returned = sgd(m);
            SGD other = sgd(m);
            return List.of(List.of(returned), List.of(new StepLR(other, 1)));
        });
        assertMessage(e, "Some schedulers are attached with an optimizer that wasn't returned from"
                + " `configureOptimizers`", "StepLR", "Return that optimizer too, or build the scheduler on a returned"
                + " one.");
    }

    @Test
    void severalOptimizersInAutomaticOptimizationPointToManualOptimization() {
        MisconfigurationException e = fitFails(m -> List.of(sgd(m), sgd(m)));
        assertMessage(e, "multiple optimizers is only supported with manual optimization",
                "returned 2 optimizers", "automaticOptimization(false)");
    }

    @Test
    void plateauWithoutMonitorNamesTheKeyToAdd() {
        MisconfigurationException e = fitFails(m -> {
            SGD o = sgd(m);
            return List.of(List.of(o), List.of(Map.of("scheduler", new ReduceLROnPlateau(o))));
        });
        assertMessage(e, "must include a monitor when a `ReduceLROnPlateau` scheduler is used",
                "\"monitor\": \"your_loss\"");
    }
}
