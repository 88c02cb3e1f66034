/**
 * Numerical precision of a run: autocast around the forward ({@code "bf16-mixed"}, {@code "16-mixed"}), the gradient
 * scaler of float16 training, and whole-module conversion ({@code "64-true"}, {@code "bf16-true"},
 * {@code "16-true"}). Counterpart of {@code lightning.pytorch.plugins.precision} and {@code torch.amp}.
 *
 * <p>The Trainer picks the plugin from its {@code precision} option; the strategy holds it
 * ({@code trainer.strategy().precision()}, Lightning's {@code strategy.precision_plugin}) and the loops call it around
 * each step's forward, backward and optimizer step.
 */
package dev.jlightning.precision;
