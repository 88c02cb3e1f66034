package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.optim.OptimizerConfig;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EarlyStopping on real training runs, ported from Lightning's {@code tests_pytorch/callbacks/test_early_stopping.py}
 * and {@code test_lr_monitor.py::test_lr_monitor_update_callback_metrics}: when the run stopped, why, and the state.
 */
class EarlyStoppingTest {

    @TempDir
    Path dir;

    private TrainerConfig.Builder base() {
        return Trainer.builder().defaultRootDir(dir).logger(false).accelerator("cpu").enableProgressBar(false)
                .enableModelSummary(false);
    }

    /** Logs {@code values[currentEpoch]} as {@code name} at the end of validation (or of the training epoch). */
    static class Scripted extends BoringModel {
        final String name;
        final double[] values;
        final boolean onTrainEpochEnd;

        Scripted(String name, boolean onTrainEpochEnd, double... values) {
            this.name = name;
            this.values = values;
            this.onTrainEpochEnd = onTrainEpochEnd;
        }

        double current() {
            int epoch = trainer().orElseThrow().currentEpoch();
            return epoch < values.length ? values[epoch] : values[values.length - 1];
        }

        @Override
        public void onValidationEpochEnd() {
            if (!onTrainEpochEnd) {
                log(name, current());
            }
        }

        @Override
        public void onTrainEpochEnd() {
            if (onTrainEpochEnd) {
                log(name, current());
            }
        }
    }

    private static double[] values(String spaceSeparated) {
        String[] parts = spaceSeparated.trim().split(" +");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} with patience {1} stops at epoch {2}")
    @CsvSource({"6 5 5 5 5 5, 3, 4", "6 5 4 4 3 3, 1, 3", "6 5 6 5 5 5, 3, 4"})
    void patienceCountsValidationChecksWithoutImprovement(String losses, int patience, int expectedStopEpoch) {
        EarlyStopping es = EarlyStopping.builder("test_val_loss").patience(patience).verbose(true).build();
        Trainer trainer = base().maxEpochs(10).numSanityValSteps(0).callbacks(es).build();
        trainer.fit(new Scripted("test_val_loss", false, values(losses)), BoringModel.data(4),
                BoringModel.data(4));
        assertEquals(expectedStopEpoch, trainer.currentEpoch() - 1);
        assertEquals(expectedStopEpoch, es.stoppedEpoch());
        assertEquals(EarlyStoppingReason.PATIENCE_EXHAUSTED, es.stoppingReason());
        assertEquals(Optional.of(false), es.checkOnTrainEpochEnd().map(b -> !b));
    }

    @ParameterizedTest(name = "{0} with patience {1} on train epoch end stops at epoch {2}")
    @CsvSource({"6 5 5 5 5 5, 3, 4", "6 5 4 4 3 3, 1, 3", "6 5 6 5 5 5, 3, 4"})
    void patienceOnTrainEpochEndWithoutValidation(String losses, int patience, int expectedStopEpoch) {
        EarlyStopping es = EarlyStopping.builder("train_loss").patience(patience).checkOnTrainEpochEnd(true)
                .build();
        Trainer trainer = base().maxEpochs(10).numSanityValSteps(0).callbacks(es).build();
        trainer.fit(new Scripted("train_loss", true, values(losses)), BoringModel.data(4));
        assertEquals(expectedStopEpoch, trainer.currentEpoch() - 1);
    }

    @ParameterizedTest(name = "stopping {0}, divergence {1}, losses {2}: stops at epoch {3}")
    @CsvSource({"NaN, NaN, 8 4 2 3 4 5 8 10, 5", "2.9, NaN, 9 8 7 6 5 6 4 3 2 1, 8", "NaN, 15.9, 9 4 2 16 32 64, 3"})
    void thresholdsStopAsSoonAsTheyAreCrossed(double stopping, double divergence, String losses, int expected) {
        EarlyStopping.Builder b = EarlyStopping.builder("abc");
        if (!Double.isNaN(stopping)) {
            b.stoppingThreshold(stopping);
        }
        if (!Double.isNaN(divergence)) {
            b.divergenceThreshold(divergence);
        }
        EarlyStopping es = b.build();
        // Lightning's test keeps the default sanity check, whose logged values must not reach the callback
        Trainer trainer = base().maxEpochs(20).limitTrainBatches(0.5).limitValBatches(0.5).callbacks(es).build();
        trainer.fit(new Scripted("abc", false, values(losses)), BoringModel.data(4), BoringModel.data(4));
        assertEquals(expected, trainer.currentEpoch() - 1);
    }

    @ParameterizedTest(name = "{0} stops training")
    @CsvSource({"Infinity", "NaN"})
    void nonFiniteMonitorStops(double stopValue) {
        EarlyStopping es = EarlyStopping.builder("val_loss").checkFinite(true).build();
        Trainer trainer = base().maxEpochs(10).callbacks(es).build();
        trainer.fit(new Scripted("val_loss", false, 4, 3, stopValue, 2, 1), BoringModel.data(4),
                BoringModel.data(4));
        assertEquals(2, trainer.currentEpoch() - 1);
        assertEquals(2, es.stoppedEpoch());
        assertEquals(EarlyStoppingReason.NON_FINITE_METRIC, es.stoppingReason());
    }

    @Test
    void lrMonitorValuesCanBeMonitoredAndStopTrainingAtTheStoppingThreshold() {
        // Lightning's test_lr_monitor_update_callback_metrics
        LearningRateMonitor lrMonitor = new LearningRateMonitor();
        EarlyStopping es = EarlyStopping.builder("lr-SGD").mode("min").stoppingThreshold(0.02)
                .checkOnTrainEpochEnd(true).build();
        BoringModel model = new BoringModel() {
            @Override
            public Object configureOptimizers() {
                SGD sgd = new SGD(parameters(), new SGDOptions(0.1));
                return OptimizerConfig.of(sgd, new StepLR(sgd, 1, 0.5));
            }
        };
        Trainer trainer = Trainer.builder().defaultRootDir(dir).accelerator("cpu").enableProgressBar(false)
                .enableModelSummary(false).maxEpochs(5).limitTrainBatches(2).callbacks(lrMonitor, es).build();
        trainer.fit(model, BoringModel.data(4));

        assertTrue(trainer.callbackMetrics().containsKey("lr-SGD"));
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125), lrMonitor.lrs().get("lr-SGD"));
        List<Number> history = lrMonitor.lrs().get("lr-SGD");
        assertTrue(history.subList(0, 3).stream().allMatch(v -> v.doubleValue() > 0.02));
        assertTrue(history.get(3).doubleValue() < 0.02);
        assertEquals(3, trainer.currentEpoch() - 1);
        assertEquals(3, es.stoppedEpoch());
        assertEquals(EarlyStoppingReason.STOPPING_THRESHOLD, es.stoppingReason());
        assertEquals(Optional.of("Stopping threshold reached: lr-SGD = 0.0125 < 0.02. Signaling Trainer to stop."),
                es.stoppingReasonMessage());
    }

    @Test
    void everyReasonIsRecordedWithLightningsMessage() {
        record Case(EarlyStopping es, double[] losses, int maxEpochs, EarlyStoppingReason reason,
                    Optional<String> message, int stoppedEpoch) {
        }
        List<Case> cases = List.of(
                new Case(EarlyStopping.builder("val_loss").patience(2).verbose(true).build(), new double[] {10},
                        10, EarlyStoppingReason.PATIENCE_EXHAUSTED, Optional.of("Monitored metric val_loss did not"
                                + " improve in the last 2 records. Best score: 10.000. Signaling Trainer to stop."),
                        2),
                new Case(EarlyStopping.builder("val_loss").stoppingThreshold(0.6).build(),
                        new double[] {5, 3, 1, 0.5, 0.1}, 10, EarlyStoppingReason.STOPPING_THRESHOLD,
                        Optional.of("Stopping threshold reached: val_loss = 0.5 < 0.6. Signaling Trainer to stop."),
                        3),
                // Lightning prints the mode's comparison sign here too, hence "10.0 < 8.0"
                new Case(EarlyStopping.builder("val_loss").divergenceThreshold(8.0).build(),
                        new double[] {1, 2, 5, 10, 15}, 10, EarlyStoppingReason.DIVERGENCE_THRESHOLD,
                        Optional.of("Divergence threshold reached: val_loss = 10.0 < 8.0. Signaling Trainer to"
                                + " stop."), 3),
                new Case(EarlyStopping.builder("val_loss").build(), new double[] {1, 0.5, Double.NaN}, 10,
                        EarlyStoppingReason.NON_FINITE_METRIC, Optional.of("Monitored metric val_loss = nan is not"
                                + " finite. Previous best value was 0.500. Signaling Trainer to stop."), 2),
                new Case(EarlyStopping.builder("val_loss").build(), new double[] {5, 4, 3, 2, 1}, 3,
                        EarlyStoppingReason.NOT_STOPPED, Optional.empty(), 0));
        for (Case c : cases) {
            Trainer trainer = base().maxEpochs(c.maxEpochs).callbacks(c.es).build();
            trainer.fit(new Scripted("val_loss", false, c.losses), BoringModel.data(2), BoringModel.data(2));
            assertEquals(c.reason, c.es.stoppingReason());
            assertEquals(c.message, c.es.stoppingReasonMessage());
            assertEquals(c.stoppedEpoch, c.es.stoppedEpoch());
        }
    }

    @Test
    void minDeltaInMaxModeNeedsAGainLargerThanTheDelta() {
        EarlyStopping es = EarlyStopping.builder("acc").mode("max").minDelta(0.05).patience(2).build();
        Trainer trainer = base().maxEpochs(10).callbacks(es).build();
        // 0.52 is not 0.05 better than 0.5; 0.7 is; 0.71 and 0.72 are not better than 0.7 by 0.05
        trainer.fit(new Scripted("acc", false, 0.5, 0.52, 0.7, 0.71, 0.72, 0.9), BoringModel.data(2),
                BoringModel.data(2));
        assertEquals(4, es.stoppedEpoch());
        assertEquals(0.7f, (float) es.bestScore());
        assertEquals(2, es.waitCount());
    }

    @Test
    void minDeltaInMinModeCountsAnEqualChangeAsNoImprovement() {
        EarlyStopping es = EarlyStopping.builder("loss").minDelta(0.5).patience(1).verbose(true).build();
        Trainer trainer = base().maxEpochs(10).callbacks(es).build();
        try (ClassLogCapture log = new ClassLogCapture(EarlyStopping.class)) {
            trainer.fit(new Scripted("loss", false, 4, 3, 2.5, 1), BoringModel.data(2), BoringModel.data(2));
            // 3 improves on 4 by 1 (> 0.5); 2.5 improves on 3 by exactly 0.5, which is not enough
            assertEquals(2, es.stoppedEpoch());
            assertEquals(List.of("INFO Metric loss improved. New best score: 4.000",
                    "INFO Metric loss improved by 1.000 >= min_delta = 0.5. New best score: 3.000",
                    "INFO Monitored metric loss did not improve in the last 1 records. Best score: 3.000. Signaling"
                            + " Trainer to stop."), log.messages());
        }
    }

    @Test
    void theStopReasonIsLoggedEvenWithoutVerbose() {
        EarlyStopping es = EarlyStopping.builder("loss").patience(1).build();
        try (ClassLogCapture log = new ClassLogCapture(EarlyStopping.class)) {
            base().maxEpochs(10).callbacks(es).build()
                    .fit(new Scripted("loss", false, 4, 4), BoringModel.data(2), BoringModel.data(2));
            assertEquals(List.of("INFO Monitored metric loss did not improve in the last 1 records. Best score:"
                    + " 4.000. Signaling Trainer to stop."), log.messages());
        }
    }

    @Test
    void checksAfterValidationWhenValidationRunsSeveralTimesPerEpoch() {
        EarlyStopping es = EarlyStopping.builder("foo").patience(1).build();
        Trainer trainer = base().maxEpochs(10).limitTrainBatches(10).limitValBatches(1).valCheckInterval(0.3)
                .callbacks(es).build();
        BoringModel model = new BoringModel() {
            @Override
            public void validationStep(dev.jlightning.data.Batch batch, int batchIdx) {
                log("foo", 1.0);
            }
        };
        trainer.fit(model, BoringModel.data(10), BoringModel.data(2));
        assertEquals(Optional.of(false), es.checkOnTrainEpochEnd());
        // validation every int(10 * 0.3) = 3 batches; the second check exhausts patience 1
        assertEquals(6, trainer.globalStep());
    }

    @Test
    void checksAfterValidationWhenValidationSkipsEpochs() {
        EarlyStopping es = EarlyStopping.builder("foo").patience(1).build();
        Trainer trainer = base().maxEpochs(5).checkValEveryNEpoch(2).limitValBatches(1).callbacks(es).build();
        BoringModel model = new BoringModel() {
            @Override
            public void validationStep(dev.jlightning.data.Batch batch, int batchIdx) {
                log("foo", 1.0);
            }
        };
        trainer.fit(model, BoringModel.data(2), BoringModel.data(2));
        assertEquals(Optional.of(false), es.checkOnTrainEpochEnd());
        assertEquals(4, trainer.currentEpoch());
    }

    @Test
    void strictMissingMetricFailsAndNonStrictSkips() {
        EarlyStopping strict = new EarlyStopping("missing");
        Trainer trainer = base().maxEpochs(3).callbacks(strict).build();
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> trainer.fit(new Scripted("val_loss", false, 1), BoringModel.data(2), BoringModel.data(2)));
        assertEquals("Early stopping conditioned on metric `missing` which is not available. Pass in or modify your"
                + " `EarlyStopping` callback to use any of the following: `val_loss`", e.getMessage());

        EarlyStopping lenient = EarlyStopping.builder("missing").strict(false).build();
        Trainer t2 = base().maxEpochs(3).callbacks(lenient).build();
        t2.fit(new Scripted("val_loss", false, 1), BoringModel.data(2), BoringModel.data(2));
        assertEquals(3, t2.currentEpoch());
        assertEquals(EarlyStoppingReason.NOT_STOPPED, lenient.stoppingReason());
    }

    @Test
    void fastDevRunDisablesTheCheck() {
        EarlyStopping es = EarlyStopping.builder("missing").build();
        Trainer trainer = base().fastDevRun(true).callbacks(es).build();
        trainer.fit(new Scripted("val_loss", false, 1), BoringModel.data(2), BoringModel.data(2));
        assertEquals(0, es.waitCount());
    }

    @Test
    void stateKeyAndStateDictRoundTripThroughJson() throws Exception {
        EarlyStopping es = EarlyStopping.builder("val_loss").patience(2).build();
        assertEquals("EarlyStopping{'monitor': 'val_loss', 'mode': 'min'}", es.stateKey());
        assertEquals("EarlyStopping{'monitor': 'acc', 'mode': 'max'}",
                EarlyStopping.builder("acc").mode("max").build().stateKey());
        assertEquals(Map.of("wait_count", 0, "stopped_epoch", 0, "best_score", "inf", "patience", 2,
                "stopping_reason", "not_stopped"), es.stateDict());

        base().maxEpochs(10).callbacks(es).build()
                .fit(new Scripted("val_loss", false, 3, 2, 2.5, 2.5), BoringModel.data(2), BoringModel.data(2));
        Map<String, Object> state = es.stateDict();
        assertEquals(2, state.get("wait_count"));
        assertEquals(3, state.get("stopped_epoch"));
        assertEquals(2.0, state.get("best_score"));
        assertEquals("patience_exhausted", state.get("stopping_reason"));

        ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> reread = json.readValue(json.writeValueAsString(state), Map.class);
        EarlyStopping restored = EarlyStopping.builder("val_loss").build();
        restored.loadStateDict(reread);
        assertEquals(state, restored.stateDict());
        assertEquals(2, restored.patience());
        assertEquals(es.stoppingReasonMessage(), restored.stoppingReasonMessage());
    }

    @Test
    void anOlderStateWithoutTheReasonLoads() {
        EarlyStopping es = new EarlyStopping("val_loss");
        es.loadStateDict(Map.of("wait_count", 2, "stopped_epoch", 5, "best_score", 0.5, "patience", 3));
        assertEquals(EarlyStoppingReason.NOT_STOPPED, es.stoppingReason());
        assertFalse(es.stoppingReasonMessage().isPresent());
        assertEquals(2, es.waitCount());
        assertEquals(5, es.stoppedEpoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> es.loadStateDict(Map.of("wait_count", 2)));
        assertTrue(e.getMessage().contains("'stopped_epoch'"), e.getMessage());
    }

    @Test
    void wrongOptionsAreRejectedWithTheirName() {
        assertEquals("`mode` can be min, max, got unknown_option", assertThrows(MisconfigurationException.class,
                () -> EarlyStopping.builder("foo").mode("unknown_option")).getMessage());
        assertTrue(assertThrows(MisconfigurationException.class, () -> EarlyStopping.builder("foo").patience(-1))
                .getMessage().contains("`patience`"));
        assertTrue(assertThrows(MisconfigurationException.class,
                () -> EarlyStopping.builder("foo").minDelta(Double.NaN)).getMessage().contains("`min_delta`"));
        assertTrue(assertThrows(MisconfigurationException.class, () -> EarlyStopping.builder(""))
                .getMessage().contains("`monitor`"));
    }

    @Test
    void theStateTravelsInCheckpointsAndComesBackOnResume() {
        // Lightning's test_resume_early_stopping_from_checkpoint: the checkpoint holds the state of its epoch
        List<Map<String, Object>> perEpoch = new java.util.ArrayList<>();
        EarlyStopping es = EarlyStopping.builder("train_loss").patience(5).checkOnTrainEpochEnd(true).build();
        dev.jlightning.core.Callback recorder = new dev.jlightning.core.Callback() {
            @Override
            public void onTrainEpochEnd(Trainer t, dev.jlightning.core.LightningModule m) {
                perEpoch.add(es.stateDict());
            }

            @Override
            public boolean isMonitoring() {
                return true;
            }
        };
        ModelCheckpoint ckpt = ModelCheckpoint.builder().dirpath(dir.resolve("ckpt")).saveTopK(-1).build();
        Trainer trainer = base().maxEpochs(4).callbacks(es, recorder, ckpt).build();
        // 3 improves on nothing, 2 on 3; 2.5 and 2.5 do not improve on 2
        trainer.fit(new Scripted("train_loss", true, 3, 2, 2.5, 2.5), BoringModel.data(2));
        assertEquals(4, perEpoch.size());

        java.nio.file.Path third = dir.resolve("ckpt/epoch=2-step=6.ckpt");
        dev.jlightning.checkpoint.Checkpoint saved = trainer.config().checkpointIO().load(third);
        Map<String, Object> state = saved.callbackState(es.stateKey()).orElseThrow();
        assertEquals(numbersAsDoubles(perEpoch.get(2)), numbersAsDoubles(state));
        assertEquals(1, ((Number) state.get("wait_count")).intValue());
        assertEquals(2.0, ((Number) state.get("best_score")).doubleValue());

        // resuming restores it before training continues
        EarlyStopping resumed = EarlyStopping.builder("train_loss").patience(5).checkOnTrainEpochEnd(true).build();
        List<Map<String, Object>> atTrainStart = new java.util.ArrayList<>();
        dev.jlightning.core.Callback probe = new dev.jlightning.core.Callback() {
            @Override
            public void onTrainStart(Trainer t, dev.jlightning.core.LightningModule m) {
                atTrainStart.add(resumed.stateDict());
            }
        };
        base().maxEpochs(5).callbacks(resumed, probe).build()
                .fit(new Scripted("train_loss", true, 3, 2, 2.5, 2.5, 2.5), BoringModel.data(2), third.toString());
        assertEquals(1, atTrainStart.size());
        assertEquals(numbersAsDoubles(perEpoch.get(2)), numbersAsDoubles(atTrainStart.get(0)));
        // epochs 3 and 4 add two more checks without improvement
        assertEquals(3, resumed.waitCount());
    }

    /** JSON gives numbers back in its own types; the values are what must survive. */
    private static Map<String, Object> numbersAsDoubles(Map<String, Object> state) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v instanceof Number ? (Object) ((Number) v).doubleValue() : v));
        return out;
    }
}
