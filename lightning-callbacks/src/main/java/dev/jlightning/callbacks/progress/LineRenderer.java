package dev.jlightning.callbacks.progress;

import java.io.PrintStream;

/**
 * Prints finished bars only, one plain line each and without block characters, so that output that is not a
 * terminal (CI logs, files) gets one readable line per epoch instead of a stream of carriage returns:
 * {@code Epoch 3: 100% 12/12 [00:01<00:00,  9.81it/s, v_num=0, loss=0.214, val_loss=0.198]}.
 */
public final class LineRenderer implements ProgressRenderer {

    private final PrintStream out;

    public LineRenderer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void draw(BarState state) {
        // a log gets the finished line only
    }

    @Override
    public void done(BarState state) {
        out.println(TqdmFormat.meter(state, false));
        out.flush();
    }

    @Override
    public void discard() {
    }
}
