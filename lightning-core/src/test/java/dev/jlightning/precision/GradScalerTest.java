package dev.jlightning.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** PyTorch GradScaler semantics, checked on CPU with gradients set by hand (test_grad_scaling_* in test_cuda.py). */
class GradScalerTest {

    /** One parameter [1, 2, 3] whose gradient after backward of {@code (p * factor).sum()} is {@code factor}. */
    private static Tensor param() {
        Tensor p = torch.tensor(new float[] {1f, 2f, 3f});
        p.requires_grad_(true);
        return p;
    }

    private static void backward(GradScaler scaler, Tensor p, double factor) {
        Tensor loss = p.mul(new Scalar(factor)).sum();
        scaler.scale(loss).backward();
    }

    @Test
    void infiniteGradientSkipsTheStepAndHalvesTheScale() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = param();
            SGD sgd = new SGD(new TensorVector(p), new SGDOptions(0.1));
            GradScaler scaler = GradScaler.create();
            assertEquals(65536.0, scaler.getScale());
            backward(scaler, p, Double.POSITIVE_INFINITY);
            assertTrue(scaler.unscale(sgd), "inf gradient found");
            assertFalse(scaler.step(sgd), "step skipped");
            scaler.update();
            assertEquals(1f, p.get(0).item_float());
            assertEquals(3f, p.get(2).item_float());
            assertEquals(32768.0, scaler.getScale());
            assertEquals(0, scaler.growthTracker());
        }
    }

    @Test
    void nanGradientSkipsTheStepToo() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = param();
            SGD sgd = new SGD(new TensorVector(p), new SGDOptions(0.1));
            GradScaler scaler = GradScaler.builder().initScale(8).build();
            backward(scaler, p, Double.NaN);
            assertFalse(scaler.step(sgd));
            scaler.update();
            assertEquals(4.0, scaler.getScale());
            assertEquals(2f, p.get(1).item_float());
        }
    }

    @Test
    void finiteGradientsAreUnscaledBeforeTheStepAndTheScaleGrowsAfterTheInterval() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = param();
            SGD sgd = new SGD(new TensorVector(p), new SGDOptions(1.0));
            GradScaler scaler = GradScaler.builder().initScale(1024).growthInterval(3).build();
            for (int i = 0; i < 3; i++) {
                sgd.zero_grad(true);
                backward(scaler, p, 0.5);
                assertFalse(scaler.unscale(sgd));
                // the optimizer sees the true gradient, 0.5, not 0.5 * 1024
                assertEquals(0.5f, p.grad().get(0).item_float());
                assertTrue(scaler.step(sgd));
                scaler.update();
                assertEquals(i < 2 ? 1024.0 : 2048.0, scaler.getScale(), "after good step " + (i + 1));
                assertEquals(i < 2 ? i + 1 : 0, scaler.growthTracker());
            }
            assertEquals(1f - 1.5f, p.get(0).item_float());
        }
    }

    @Test
    void unscaleTwiceInOneIterationIsRefusedAsInPyTorch() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = param();
            SGD sgd = new SGD(new TensorVector(p), new SGDOptions(0.1));
            GradScaler scaler = GradScaler.create();
            backward(scaler, p, 1.0);
            scaler.unscale(sgd);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> scaler.unscale(sgd));
            assertTrue(e.getMessage().contains("unscale_() has already been called"), e.getMessage());
        }
    }

    @Test
    void float16GradientsAreRefusedAsInPyTorch() {
        try (PointerScope scope = new PointerScope()) {
            Tensor p = torch.ones(new long[] {3}, new TensorOptions(torch.ScalarType.Half));
            p.requires_grad_(true);
            SGD sgd = new SGD(new TensorVector(p), new SGDOptions(0.1));
            GradScaler scaler = GradScaler.create();
            p.sum().backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> scaler.unscale(sgd));
            assertEquals("Attempting to unscale FP16 gradients.", e.getMessage());
        }
    }

    @Test
    void stateDictHasPyTorchKeysAndRoundTrips() {
        GradScaler a = GradScaler.builder().initScale(512).growthFactor(4).backoffFactor(0.25).growthInterval(7)
                .build();
        Map<String, Object> state = a.stateDict();
        assertEquals(Map.of("scale", 512.0, "growth_factor", 4.0, "backoff_factor", 0.25, "growth_interval", 7,
                "_growth_tracker", 0), state);
        GradScaler b = GradScaler.create();
        Map<String, Object> saved = new LinkedHashMap<>(state);
        saved.put("_growth_tracker", 5);
        b.loadStateDict(saved);
        assertEquals(512.0, b.getScale());
        assertEquals(4.0, b.growthFactor());
        assertEquals(0.25, b.backoffFactor());
        assertEquals(7, b.growthInterval());
        assertEquals(5, b.growthTracker());
    }

    @Test
    void badStateIsRefusedNamingTheKeyAndLeavesTheScalerUnchanged() {
        GradScaler s = GradScaler.create();
        Map<String, Object> state = new LinkedHashMap<>(s.stateDict());
        state.put("scale", "big");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(state));
        assertTrue(e.getMessage().contains("'scale'"), e.getMessage());
        state.put("scale", 2.0);
        state.put("_growth_tracker", 2000);
        e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(state));
        assertTrue(e.getMessage().contains("_growth_tracker"), e.getMessage());
        assertEquals(65536.0, s.getScale());
        assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(Map.of()));
    }

    @Test
    void builderRefusesPyTorchsInvalidFactors() {
        assertThrows(MisconfigurationException.class, () -> GradScaler.builder().growthFactor(1.0));
        assertThrows(MisconfigurationException.class, () -> GradScaler.builder().backoffFactor(1.0));
        assertThrows(MisconfigurationException.class, () -> GradScaler.builder().growthInterval(0));
        assertThrows(MisconfigurationException.class, () -> GradScaler.builder().initScale(0));
    }
}
