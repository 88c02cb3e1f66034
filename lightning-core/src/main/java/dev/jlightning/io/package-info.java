/**
 * Weight files in and out: PyTorch {@code torch.save} zips ({@code .pt}, {@code .pth}, {@code .bin}), Lightning
 * {@code .ckpt} dicts and Hugging Face safetensors, read into a module by parameter name and written so that Python
 * opens them.
 *
 * <p>Counterpart of {@code torch.load(weights_only=True)} / {@code torch.save}, {@code load_state_dict}, and
 * {@code safetensors.torch}. Foreign bytes become tensors in one place: {@link dev.jlightning.io.StateDictFile}
 * opens a file and checks it entirely in Java (zip directory, the pickle through the allow-list of
 * {@link dev.jlightning.io.RestrictedUnpickler}, safetensors header ranges, every tensor's extent through
 * {@link dev.jlightning.io.TensorBounds}) before any pointer reaches LibTorch; {@link dev.jlightning.io.Weights}
 * matches keys to a module and copies, all or nothing. Nothing a file says is ever executed.
 */
package dev.jlightning.io;
