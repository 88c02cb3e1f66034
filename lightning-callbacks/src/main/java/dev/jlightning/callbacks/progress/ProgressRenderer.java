package dev.jlightning.callbacks.progress;

/**
 * Draws progress bars somewhere: the part of a progress bar that differs between an interactive terminal and a log.
 *
 * <p>Counterpart of the output side of tqdm (its {@code sp} status printer). The {@code ProgressBar} callback decides
 * which bar to show and when; a renderer decides how: {@link TerminalRenderer} redraws one line in place,
 * {@link LineRenderer} prints finished bars only, one plain line each.
 */
public interface ProgressRenderer {

    /** The bar moved: redraw it in place (a log-oriented renderer may ignore this). */
    void draw(BarState state);

    /** The bar is finished and stays: print its final line. */
    void done(BarState state);

    /** The bar is finished and goes: remove whatever {@link #draw} left (nothing for a log). */
    void discard();
}
