package dev.jlightning.callbacks;

/**
 * One row of a {@link ModelSummaryTable}: a submodule and its parameter counts.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.utilities.model_summary.LayerSummary} (without the input and
 * output sizes, which need forward hooks that Java modules do not have).
 *
 * @param name the dotted name, as {@code named_modules} gives it ({@code fc1}, {@code encoder.0})
 * @param type the layer's class name as Python prints it ({@code Linear} for bytedeco's {@code LinearImpl}, the
 *     Java class name for a Java module)
 * @param parameters every parameter element of the layer and its children
 * @param trainableParameters those that require grad
 * @param training whether the layer is in train mode
 */
public record LayerSummary(String name, String type, long parameters, long trainableParameters, boolean training) {
}
