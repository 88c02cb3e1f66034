package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.util.Locale;

/**
 * How values from all ranks combine: Lightning's {@code reduce_fx} / {@code reduce_op} names {@code "mean"},
 * {@code "sum"}, {@code "max"}, {@code "min"}.
 *
 * <p>Counterpart of {@code torch.distributed.ReduceOp} restricted to what {@code self.log(..., sync_dist=True)}
 * accepts. Gloo has no average, so {@link #MEAN} is a sum divided by the world size, as Lightning's
 * {@code _sync_ddp} does.
 */
public enum ReduceOp {
    MEAN, SUM, MAX, MIN;

    /** Parses a {@code reduce_fx} name. */
    public static ReduceOp of(String reduceFx) {
        switch (reduceFx == null ? "" : reduceFx.toLowerCase(Locale.ROOT)) {
            case "mean":
            case "avg":
                return MEAN;
            case "sum":
                return SUM;
            case "max":
                return MAX;
            case "min":
                return MIN;
            default:
                throw new MisconfigurationException("reduce_op='" + reduceFx + "' is not supported for syncing across"
                        + " processes; use one of 'mean', 'sum', 'max', 'min'");
        }
    }
}
