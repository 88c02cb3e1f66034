/**
 * Learning-rate schedulers with PyTorch's names, arguments and numbers ({@code torch.optim.lr_scheduler}), the
 * param-group view they work through ({@link dev.jlightning.optim.ParamGroups}), builders for multi-group LibTorch
 * optimizers ({@link dev.jlightning.optim.Optimizers}) and construction from configuration maps, YAML or JSON
 * ({@link dev.jlightning.optim.LRSchedulers}).
 *
 * <p>LibTorch's C++ API has only StepLR and ReduceLROnPlateau, and both differ from Python's, so every scheduler
 * here is written in Java on top of the optimizer's param groups, keeping PyTorch's floating-point operation order
 * so that the numbers match Python's.
 *
 * <p>PaddlePaddle's schedulers ({@code paddle.optimizer.lr}: {@link dev.jlightning.optim.LinearWarmup},
 * {@link dev.jlightning.optim.StepDecay}, {@link dev.jlightning.optim.CosineAnnealingDecay}, ...) live here too, on
 * {@link dev.jlightning.optim.PaddleLRScheduler}, with Paddle's semantics. {@link dev.jlightning.optim.Formula} gives
 * configuration files Python-syntax {@code lr_lambda}/{@code scale_fn} expressions, and
 * {@link dev.jlightning.optim.LRSchedulePreview} computes a configuration's curve without training.
 */
package dev.jlightning.optim;
