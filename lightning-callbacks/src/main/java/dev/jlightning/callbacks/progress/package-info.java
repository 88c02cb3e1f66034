/**
 * The drawing side of JLightning's progress bar: tqdm's formats ({@link dev.jlightning.callbacks.progress.TqdmFormat}),
 * a renderer for interactive terminals and one for logs, and an injectable clock. The
 * {@link dev.jlightning.callbacks.ProgressBar} callback drives them.
 */
package dev.jlightning.callbacks.progress;
