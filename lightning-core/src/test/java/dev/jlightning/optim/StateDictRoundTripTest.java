package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Save after k steps (scheduler state dict through JSON text, optimizer through LibTorch's archive, param-group
 * extras through JSON), load into a fresh optimizer and scheduler, and continue: every number must equal the
 * uninterrupted run's, bit for bit.
 */
class StateDictRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] METRICS = {5, 4, 4, 4.5, 4, 3, 3, 3, 3, 3.2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1};

    @TempDir
    Path tmp;

    static Stream<Arguments> configs() {
        Supplier<Optimizer> sgd = () -> TestOptimizers.sgdMomentum(0.9, 0.1, 0.05);
        Supplier<Optimizer> adam = () -> TestOptimizers.adam(0.01, 0.002);
        Supplier<Optimizer> rms = () -> TestOptimizers.rmsprop(0.5, 0.01, 0.02);
        return Stream.of(
                Arguments.of("LambdaLR", sgd, Map.of("name", "LambdaLR", "lr_lambda", "0.9 ** epoch")),
                Arguments.of("MultiplicativeLR", sgd, Map.of("name", "MultiplicativeLR",
                        "lr_lambda", List.of("0.9", "0.95"))),
                Arguments.of("StepLR", sgd, Map.of("name", "StepLR", "step_size", 3, "gamma", 0.5)),
                Arguments.of("MultiStepLR", adam, Map.of("name", "MultiStepLR", "milestones", List.of(3, 7, 7))),
                Arguments.of("ConstantLR", sgd, Map.of("name", "ConstantLR", "factor", 0.25, "total_iters", 9)),
                Arguments.of("LinearLR", sgd, Map.of("name", "LinearLR", "start_factor", 0.1, "total_iters", 12)),
                Arguments.of("ExponentialLR", sgd, Map.of("name", "ExponentialLR", "gamma", 0.8)),
                Arguments.of("PolynomialLR", sgd, Map.of("name", "PolynomialLR", "total_iters", 15, "power", 1.5)),
                Arguments.of("CosineAnnealingLR", sgd, Map.of("name", "CosineAnnealingLR", "T_max", 7,
                        "eta_min", 0.001)),
                Arguments.of("CosineAnnealingWarmRestarts", sgd, Map.of("name", "CosineAnnealingWarmRestarts",
                        "T_0", 3, "T_mult", 2, "eta_min", 0.001)),
                Arguments.of("CyclicLR on SGD momentum", sgd, Map.of("name", "CyclicLR", "base_lr", 0.01,
                        "max_lr", List.of(0.1, 0.2), "step_size_up", 3, "step_size_down", 2, "mode", "triangular2")),
                Arguments.of("CyclicLR on Adam beta1", adam, Map.of("name", "CyclicLR", "base_lr", 0.001,
                        "max_lr", 0.01, "step_size_up", 4, "mode", "exp_range", "gamma", 0.9,
                        "base_momentum", 0.85, "max_momentum", 0.95)),
                Arguments.of("OneCycleLR on SGD momentum", sgd, Map.of("name", "OneCycleLR", "max_lr", 0.5,
                        "total_steps", 20)),
                Arguments.of("OneCycleLR on RMSprop, three phases", rms, Map.of("name", "OneCycleLR",
                        "max_lr", List.of(0.5, 0.1), "total_steps", 20, "three_phase", true,
                        "anneal_strategy", "linear")),
                Arguments.of("ReduceLROnPlateau", sgd, Map.of("name", "ReduceLROnPlateau", "factor", 0.5,
                        "patience", 1, "cooldown", 2, "min_lr", List.of(0.01, 0.02))),
                Arguments.of("SequentialLR", sgd, Map.of("name", "SequentialLR", "milestones", List.of(4, 9),
                        "schedulers", List.of(Map.of("name", "LinearLR", "start_factor", 0.2, "total_iters", 4),
                                Map.of("name", "CosineAnnealingLR", "T_max", 5),
                                Map.of("name", "MultiplicativeLR", "lr_lambda", "0.9")))),
                Arguments.of("ChainedScheduler", adam, Map.of("name", "ChainedScheduler", "schedulers", List.of(
                        Map.of("name", "ConstantLR", "factor", 0.5, "total_iters", 6),
                        Map.of("name", "ExponentialLR", "gamma", 0.9)))));
    }

    /** One step's observable numbers: every group's lr, last_lr and momentum. */
    private static List<Double> observe(LRScheduler s) {
        List<Double> values = new ArrayList<>();
        ParamGroups groups = s.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            values.add(groups.lr(i));
            values.add(s.getLastLr()[i]);
            groups.momentum(i).ifPresent(values::add);
        }
        values.add((double) s.lastEpoch());
        return values;
    }

    private static void step(LRScheduler s, int index) {
        if (s instanceof ReduceLROnPlateau) {
            ((ReduceLROnPlateau) s).step(METRICS[index]);
        } else {
            s.step();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> throughJson(Map<String, Object> state) throws JsonProcessingException {
        return JSON.readValue(JSON.writeValueAsString(state), Map.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void continuesExactlyAfterSaveAndLoad(String label, Supplier<Optimizer> optimizers, Map<String, Object> config)
            throws IOException {
        int total = 18;
        LRScheduler reference = LRSchedulers.create(optimizers.get(), config);
        List<List<Double>> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            step(reference, i);
            expected.add(observe(reference));
        }
        for (int k : new int[] {1, 5, 11}) {
            Optimizer first = optimizers.get();
            LRScheduler before = LRSchedulers.create(first, config);
            for (int i = 0; i < k; i++) {
                step(before, i);
            }
            Map<String, Object> state = throughJson(before.stateDict());
            Map<String, Object> extras = throughJson(before.paramGroups().extrasStateDict());
            Path archive = tmp.resolve(label.replace(' ', '_') + "-" + k + ".pt");
            try (OutputArchive out = new OutputArchive()) {
                first.save(out);
                out.save_to(archive.toString());
            }

            Optimizer fresh = optimizers.get();
            LRScheduler after = LRSchedulers.create(fresh, config);
            try (InputArchive in = new InputArchive()) {
                in.load_from(archive.toString());
                fresh.load(in);
            }
            after.paramGroups().loadExtrasStateDict(extras);
            after.loadStateDict(state);
            assertEquals(observe(before), observe(after), label + ": state right after loading at step " + k);
            for (int i = k; i < total; i++) {
                step(after, i);
                assertEquals(expected.get(i), observe(after), label + ": step " + (i + 1) + " after resuming at " + k);
            }
        }
    }

    @Test
    void libTorchArchiveRestoresCycledMomentumAndLr() throws IOException {
        Optimizer first = TestOptimizers.sgdMomentum(0.9, 0.1);
        OneCycleLR s = OneCycleLR.builder(first).maxLr(1.0).totalSteps(10).build();
        for (int i = 0; i < 3; i++) {
            s.step();
        }
        Path archive = tmp.resolve("one-cycle.pt");
        try (OutputArchive out = new OutputArchive()) {
            first.save(out);
            out.save_to(archive.toString());
        }
        Optimizer fresh = TestOptimizers.sgdMomentum(0.9, 0.1);
        try (InputArchive in = new InputArchive()) {
            in.load_from(archive.toString());
            fresh.load(in);
        }
        assertEquals(ParamGroups.of(first).lr(0), ParamGroups.of(fresh).lr(0));
        assertEquals(ParamGroups.of(first).momentum(0), ParamGroups.of(fresh).momentum(0));
    }

    @Test
    void stateDictsArePlainJsonWithPyTorchsKeys() throws JsonProcessingException {
        StepLR step = new StepLR(TestOptimizers.sgd(0.1), 3, 0.5);
        step.step();
        Map<String, Object> state = step.stateDict();
        assertEquals(List.of("base_lrs", "last_epoch", "_step_count", "_get_lr_called_within_step", "_is_initial",
                "_last_lr", "step_size", "gamma"), new ArrayList<>(state.keySet()));
        assertEquals(1, state.get("last_epoch"));
        assertEquals(2, state.get("_step_count"));
        assertEquals("{\"base_lrs\":[0.1],\"last_epoch\":1,\"_step_count\":2,\"_get_lr_called_within_step\":false,"
                + "\"_is_initial\":false,\"_last_lr\":[0.1],\"step_size\":3,\"gamma\":0.5}",
                JSON.writeValueAsString(state));

        ReduceLROnPlateau plateau = new ReduceLROnPlateau(TestOptimizers.sgd(0.1));
        Map<String, Object> plateauState = plateau.stateDict();
        assertEquals("inf", plateauState.get("best"), "JSON has no infinity: Python's spelling as text");
        assertTrue(plateauState.keySet().containsAll(List.of("factor", "min_lrs", "patience", "cooldown",
                "cooldown_counter", "mode", "threshold", "threshold_mode", "best", "num_bad_epochs", "mode_worse",
                "eps", "last_epoch", "_last_lr", "default_min_lr")));
        assertEquals(java.util.Collections.singletonList(null), new LambdaLR(TestOptimizers.sgd(0.1), e -> 1.0).stateDict()
                .get("lr_lambdas"), "lambdas are not serialised, as in PyTorch");
    }

    @Test
    void plateauCountersSurviveTheRoundTrip() throws JsonProcessingException {
        ReduceLROnPlateau a = ReduceLROnPlateau.builder(TestOptimizers.sgd(1.0)).patience(3).cooldown(2).build();
        a.step(1.0);
        a.step(2.0);
        a.step(2.0);
        ReduceLROnPlateau b = ReduceLROnPlateau.builder(TestOptimizers.sgd(1.0)).patience(3).cooldown(2).build();
        b.loadStateDict(throughJson(a.stateDict()));
        assertEquals(1.0, b.best());
        assertEquals(2, b.numBadEpochs());
        assertEquals(3, b.lastEpoch());
    }

    @Test
    void wrongTypesInAStateDictAreRejected() {
        StepLR s = new StepLR(TestOptimizers.sgd(0.1), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.loadStateDict(Map.of("last_epoch", "seven")));
        assertEquals("StepLR state dict: 'last_epoch' must be an integer, got seven (String)", e.getMessage());
        SequentialLR seq = new SequentialLR(s.optimizer(), List.of(new ExponentialLR(s.optimizer(), 0.9)), List.of());
        e = assertThrows(IllegalArgumentException.class, () -> seq.loadStateDict(Map.of("_schedulers", List.of())));
        assertEquals("SequentialLR state dict: '_schedulers' has 0 entries, but this SequentialLR wraps 1 schedulers",
                e.getMessage());
        assertArrayEquals(new double[] {0.1}, seq.baseLrs());
    }
}
