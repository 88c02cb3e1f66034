package dev.jlightning.precision;

import dev.jlightning.data.Batch;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * How a run handles numerical precision: what wraps each step's forward, how the module and its inputs are
 * converted, and how the loss and the optimizer step are treated.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.plugins.precision.Precision}; the Trainer's
 * {@code precision} option selects the plugin ({@link #of(String, DeviceType)}), the strategy holds it and the loops
 * call it. Every method has the behaviour of {@code "32-true"} as its default: nothing is converted or wrapped, the
 * loss goes to backward unchanged and the optimizer steps, without a single allocation per step.
 */
public interface Precision {

    /** Lightning's flag for this plugin: {@code "32-true"}, {@code "bf16-mixed"}, {@code "16-mixed"}, ... */
    String name();

    /**
     * Entered around {@code trainingStep}, {@code validationStep}, {@code testStep} and {@code predictStep} on the
     * loop's thread; closing it restores the previous state. Lightning: {@code forward_context()}.
     */
    default ForwardContext forwardContext() {
        return ForwardContext.NONE;
    }

    /** Converts the module's parameters and buffers before the optimizers are built. Lightning: {@code convert_module}. */
    default void convertModule(Module module) {
    }

    /**
     * The batch the step sees: this batch, or a new one whose floating-point tensors have the plugin's dtype (this one
     * is then closed). Lightning: {@code convert_input}.
     */
    default Batch convertInput(Batch batch) {
        return batch;
    }

    /** The tensor backward is called on: the loss, or the loss times the gradient scaler's scale. */
    default Tensor preBackward(Tensor loss) {
        return loss;
    }

    /**
     * Called at an optimizer step before the {@code on_before_optimizer_step} hooks and gradient clipping: with a
     * gradient scaler the gradients are unscaled here, so that hooks and clipping see their true values.
     */
    default void beforeOptimizerStep(Optimizer optimizer) {
    }

    /**
     * Steps the optimizer. Lightning: {@code Precision.optimizer_step}.
     *
     * @return false when the step was skipped (a gradient scaler found inf or NaN gradients); the Trainer then does
     *     not step the {@code interval="step"} schedulers for this batch
     */
    default boolean optimizerStep(Optimizer optimizer) {
        optimizer.step();
        return true;
    }

    /** The gradient scaler, for {@code "16-mixed"}. Lightning: {@code precision_plugin.scaler}. */
    default Optional<GradScaler> scaler() {
        return Optional.empty();
    }

    /**
     * The plugin's state for checkpoints, saved under the plugin's class name as Lightning does
     * ({@code checkpoint["MixedPrecision"]}); empty when there is nothing to save.
     */
    default Map<String, Object> stateDict() {
        return Map.of();
    }

    /** Restores {@link #stateDict()}. */
    default void loadStateDict(Map<String, Object> state) {
    }

    /**
     * The plugin for a Lightning precision flag on a device type, validated: {@code "32-true"} (aliases
     * {@code "32"}), {@code "64-true"} ({@code "64"}), {@code "bf16-mixed"} ({@code "bf16"}), {@code "16-mixed"}
     * ({@code "16"}), {@code "bf16-true"}, {@code "16-true"}.
     *
     * @throws dev.jlightning.core.MisconfigurationException for an unknown flag, or {@code "16-mixed"} on CPU
     */
    static Precision of(String flag, DeviceType deviceType) {
        return PrecisionFlags.create(PrecisionFlags.canonical(flag), deviceType);
    }

    /**
     * Lightning's full name for a precision flag: the flag itself, or what an alias stands for ({@code "bf16"} is
     * {@code "bf16-mixed"}).
     *
     * @throws dev.jlightning.core.MisconfigurationException for an unknown flag, naming the accepted ones
     */
    static String canonicalFlag(String flag) {
        return PrecisionFlags.canonical(flag);
    }

}
