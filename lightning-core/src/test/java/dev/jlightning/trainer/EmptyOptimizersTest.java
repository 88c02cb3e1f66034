package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.testing.Data;
import dev.jlightning.testing.LogCapture;
import dev.jlightning.testing.Mlp;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code configure_optimizers} returning nothing to optimize: Lightning warns "this fit will run with no optimizer"
 * and runs the steps without optimization (tests_pytorch/trainer/optimization/test_optimizers.py::
 * test_configure_optimizer_from_dict / test_optimizer_return_options with None).
 */
class EmptyOptimizersTest {

    @TempDir
    Path dir;

    private static Mlp returning(Object optimizers) {
        return new Mlp(4, 8, 0.1) {
            @Override
            public Object configureOptimizers() {
                return optimizers;
            }
        };
    }

    private static double firstWeight(Mlp m) {
        try (Tensor w = m.fc1.weight().flatten(0, -1)) {
            return w.get(0).item_double();
        }
    }

    @Test
    void anEmptyListWarnsAndTrainsWithoutOptimization() {
        Mlp m = returning(List.of());
        double before = firstWeight(m);
        Trainer trainer = Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(2).build();
        try (LogCapture log = LogCapture.capture()) {
            trainer.fit(m, Data.loader(20, 4, 10));
            assertEquals(List.of("`LightningModule.configureOptimizers` returned an empty list, this fit will run"
                    + " with no optimizer"), log.matching("configureOptimizers"));
        }
        assertTrue(trainer.optimizers().isEmpty());
        assertEquals(before, firstWeight(m), 0.0);
        // the steps are still counted, as Lightning counts the steps of its _MockOptimizer
        assertEquals(4, trainer.globalStep());
        assertEquals(2, trainer.currentEpoch());
    }

    @Test
    void anUnknownListNamesItsElementsNotAJdkClass() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> Trainer.builder().defaultRootDir(dir).logger(false).maxEpochs(1).build()
                        .fit(returning(List.of("sgd", 0.1)), Data.loader(10, 4, 10)));
        assertTrue(e.getMessage().startsWith("Unknown configuration for model optimizers: a List of 2 element(s)"
                + " [String, Double]. Output from `model.configureOptimizers()` should be one of:"), e.getMessage());
        assertFalse(e.getMessage().contains("ImmutableCollections"), e.getMessage());
    }
}
