package dev.jlightning.precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import java.util.Optional;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Lightning's precision flags and aliases (tests/.../connectors/test_accelerator_connector.py precision cases). */
class PrecisionFlagsTest {

    @Test
    void aliasesResolveToLightningsFullNames() {
        assertEquals("64-true", Precision.canonicalFlag("64"));
        assertEquals("32-true", Precision.canonicalFlag("32"));
        assertEquals("16-mixed", Precision.canonicalFlag("16"));
        assertEquals("bf16-mixed", Precision.canonicalFlag("bf16"));
        for (String f : PrecisionFlags.FLAGS) {
            assertEquals(f, Precision.canonicalFlag(f));
        }
    }

    @Test
    void eachFlagSelectsLightningsPlugin() {
        assertSame(PlainPrecision.INSTANCE, Precision.of("32-true", DeviceType.CPU));
        assertTrue(Precision.of("64-true", DeviceType.CPU) instanceof DoublePrecision);
        assertEquals(ScalarType.BFloat16, ((HalfPrecision) Precision.of("bf16-true", DeviceType.CPU)).dtype());
        assertEquals(ScalarType.Half, ((HalfPrecision) Precision.of("16-true", DeviceType.CPU)).dtype());
        MixedPrecision bf16 = (MixedPrecision) Precision.of("bf16", DeviceType.CPU);
        assertEquals("bf16-mixed", bf16.name());
        assertTrue(bf16.scaler().isEmpty());
        MixedPrecision fp16 = (MixedPrecision) Precision.of("16-mixed", DeviceType.CUDA);
        assertEquals(65536.0, fp16.scaler().orElseThrow().getScale());
        assertEquals(ScalarType.Half, fp16.dtype());
    }

    @Test
    void unknownFlagIsRefusedListingTheAcceptedOnes() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> Precision.of("fp8-mixed", DeviceType.CPU));
        assertTrue(e.getMessage().contains("'fp8-mixed' is invalid"), e.getMessage());
        assertTrue(e.getMessage().contains("bf16-mixed"), e.getMessage());
    }

    @Test
    void sixteenMixedOnCpuIsRefusedSuggestingBf16Mixed() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> Precision.of("16-mixed", DeviceType.CPU));
        assertTrue(e.getMessage().contains("precision='bf16-mixed'"), e.getMessage());
    }

    @Test
    void bf16MixedTakesNoScalerAsInLightning() {
        MisconfigurationException e = assertThrows(MisconfigurationException.class,
                () -> MixedPrecision.of("bf16-mixed", DeviceType.CPU, Optional.of(GradScaler.create())));
        assertTrue(e.getMessage().contains("does not use a scaler"), e.getMessage());
        assertThrows(MisconfigurationException.class, () -> MixedPrecision.of("64-true", DeviceType.CPU));
    }
}
