/**
 * Checkpoints: what a checkpoint holds ({@link dev.jlightning.checkpoint.Checkpoint}), the file format
 * ({@link dev.jlightning.checkpoint.CheckpointFormat}), and its crash-safe reading and writing
 * ({@link dev.jlightning.checkpoint.CheckpointIO}, {@link dev.jlightning.checkpoint.AtomicCheckpointIO}).
 *
 * <p>Counterpart of Lightning's {@code CheckpointConnector} contents and {@code CheckpointIO} plugins. A checkpoint
 * is one file: a small header, the JSON part (counters, loop progress, scheduler and callback states, RNG and
 * data-order states, hyperparameters) and LibTorch's serialized archive with the tensors (module parameters and
 * buffers, optimizer states, LibTorch's generator state), closed by a CRC-32C. Everything a file says is checked in
 * Java, against the module and optimizers it is meant for, before any byte reaches native code; loading never runs
 * code from the file and never uses Java serialization.
 */
package dev.jlightning.checkpoint;
