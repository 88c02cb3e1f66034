package dev.jlightning.callbacks.progress;

import java.io.PrintStream;

/**
 * Draws bars in an interactive terminal: one line, redrawn in place with a carriage return, with tqdm's block bar.
 *
 * <p>Counterpart of tqdm's status printer on a TTY. A finished bar that stays ends with a newline; a discarded one is
 * blanked out so the next bar starts on a clean line.
 */
public final class TerminalRenderer implements ProgressRenderer {

    private final PrintStream out;
    private int lastLength;

    public TerminalRenderer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void draw(BarState state) {
        String line = TqdmFormat.meter(state, true);
        // blank what a longer previous line left behind
        String padding = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
        out.print("\r" + line + padding);
        out.flush();
        lastLength = line.length();
    }

    @Override
    public void done(BarState state) {
        draw(state);
        out.print("\n");
        out.flush();
        lastLength = 0;
    }

    @Override
    public void discard() {
        if (lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
    }
}
