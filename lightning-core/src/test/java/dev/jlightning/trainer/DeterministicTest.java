package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.testing.LogCapture;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Trainer(deterministic=...)}: Lightning's _set_torch_flags (tests_pytorch/trainer/connectors/
 * test_accelerator_connector.py::test_deterministic_init). The setting is process-wide, so every test restores it.
 */
class DeterministicTest {

    @TempDir
    Path dir;

    private boolean savedOn;
    private boolean savedWarnOnly;
    private boolean savedBenchmark;

    @BeforeEach
    void save() {
        Context c = torch.globalContext();
        savedOn = c.deterministicAlgorithms();
        savedWarnOnly = c.deterministicAlgorithmsWarnOnly();
        savedBenchmark = c.benchmarkCuDNN();
        c.setDeterministicAlgorithms(false, false);
    }

    @AfterEach
    void restore() {
        Context c = torch.globalContext();
        c.setDeterministicAlgorithms(savedOn, savedWarnOnly);
        c.setBenchmarkCuDNN(savedBenchmark);
    }

    @Test
    void trueMakesLibTorchRefuseNondeterministicOperations() {
        Trainer t = Trainer.builder().defaultRootDir(dir).deterministic(true).build();
        assertEquals(Optional.of(Deterministic.TRUE), t.config().deterministic());
        Context c = torch.globalContext();
        assertTrue(c.deterministicAlgorithms());
        assertFalse(c.deterministicAlgorithmsWarnOnly());
        assertFalse(c.benchmarkCuDNN());
        RuntimeException e = assertThrows(RuntimeException.class, () -> Context.alertNotDeterministic("my_op"));
        assertTrue(e.getMessage().contains("my_op does not have a deterministic implementation"), e.getMessage());
    }

    @Test
    void warnUsesDeterministicAlgorithmsButOnlyWarns() {
        Trainer.builder().defaultRootDir(dir).deterministic("warn").build();
        Context c = torch.globalContext();
        assertTrue(c.deterministicAlgorithms());
        assertTrue(c.deterministicAlgorithmsWarnOnly());
        assertDoesNotThrow(() -> Context.alertNotDeterministic("my_op"));
    }

    @Test
    void falseTurnsAnEarlierSettingOff() {
        torch.globalContext().setDeterministicAlgorithms(true, false);
        Trainer.builder().defaultRootDir(dir).deterministic(false).build();
        assertFalse(torch.globalContext().deterministicAlgorithms());
        assertDoesNotThrow(() -> Context.alertNotDeterministic("my_op"));
    }

    @Test
    void unsetLeavesTheProcessSettingAlone() {
        torch.globalContext().setDeterministicAlgorithms(true, true);
        Trainer t = Trainer.builder().defaultRootDir(dir).build();
        assertTrue(t.config().deterministic().isEmpty());
        assertTrue(torch.globalContext().deterministicAlgorithms());
        assertTrue(torch.globalContext().deterministicAlgorithmsWarnOnly());
    }

    @Test
    void anUnknownModeIsRejectedBeforeAnythingChanges() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> Trainer.builder().deterministic("True"));
        assertEquals("`deterministic` 'True' is invalid. Accepted: true, false or \"warn\" (use"
                + " deterministic(boolean) for true and false)", e.getMessage());
        assertFalse(torch.globalContext().deterministicAlgorithms());
    }

    @Test
    void onCudaAMissingCublasWorkspaceConfigIsReported() {
        try (LogCapture log = LogCapture.capture()) {
            Deterministic.TRUE.apply("cuda:0", Map.of());
            assertEquals(1, log.matching("CUBLAS_WORKSPACE_CONFIG=:4096:8").size(), log.warnings().toString());
        }
        try (LogCapture log = LogCapture.capture()) {
            Deterministic.TRUE.apply("cuda:0", Map.of("CUBLAS_WORKSPACE_CONFIG", ":4096:8"));
            Deterministic.TRUE.apply("cpu", Map.of());
            assertTrue(log.matching("CUBLAS_WORKSPACE_CONFIG").isEmpty(), log.warnings().toString());
        }
    }
}
