/**
 * Tuning before training: the learning-rate range test ({@link dev.jlightning.tuner.Tuner#lrFind}) and its result.
 * Counterpart of {@code lightning.pytorch.tuner}.
 */
package dev.jlightning.tuner;
