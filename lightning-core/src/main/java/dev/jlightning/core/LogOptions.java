package dev.jlightning.core;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The options of one {@code log(...)} call: when to record the value and where it goes.
 *
 * <p>Counterpart of the keyword arguments of Lightning's {@code LightningModule.log(name, value, prog_bar, logger,
 * on_step, on_epoch, reduce_fx, batch_size)}. {@code onStep}/{@code onEpoch} left unset take the defaults of the hook
 * that logs (training step: step only; validation and test steps and epoch hooks: epoch only), exactly as Lightning
 * resolves them. Immutable; build with {@link #builder()}.
 */
public final class LogOptions {

    /** Lightning's defaults: hook-dependent step/epoch, not on the progress bar, sent to the logger, mean. */
    public static final LogOptions DEFAULT = builder().build();

    private static final Set<String> REDUCE_FX = Set.of("mean", "sum", "max", "min");

    private final Optional<Boolean> onStep;
    private final Optional<Boolean> onEpoch;
    private final boolean progBar;
    private final boolean logger;
    private final String reduceFx;
    private final OptionalLong batchSize;
    private final boolean syncDist;

    private LogOptions(Builder b) {
        this.syncDist = b.syncDist;
        this.onStep = b.onStep;
        this.onEpoch = b.onEpoch;
        this.progBar = b.progBar;
        this.logger = b.logger;
        this.reduceFx = b.reduceFx;
        this.batchSize = b.batchSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Shorthand for options that only set {@code prog_bar=True}. */
    public static LogOptions progBar() {
        return builder().progBar(true).build();
    }

    public Optional<Boolean> onStep() {
        return onStep;
    }

    public Optional<Boolean> onEpoch() {
        return onEpoch;
    }

    public boolean isProgBar() {
        return progBar;
    }

    public boolean isLogger() {
        return logger;
    }

    /** "mean" (weighted by batch size), "sum", "max" or "min". */
    public String reduceFx() {
        return reduceFx;
    }

    /** The batch size to weight epoch means with; inferred from the batch when absent. */
    public OptionalLong batchSize() {
        return batchSize;
    }

    /**
     * Whether the value is reduced across the ranks of a distributed run with {@link #reduceFx()} before it is
     * logged. Lightning: {@code sync_dist}.
     */
    public boolean isSyncDist() {
        return syncDist;
    }

    /** Builder for {@link LogOptions}. */
    public static final class Builder {
        private Optional<Boolean> onStep = Optional.empty();
        private Optional<Boolean> onEpoch = Optional.empty();
        private boolean progBar;
        private boolean logger = true;
        private String reduceFx = "mean";
        private OptionalLong batchSize = OptionalLong.empty();
        private boolean syncDist;

        private Builder() {
        }

        public Builder onStep(boolean onStep) {
            this.onStep = Optional.of(onStep);
            return this;
        }

        public Builder onEpoch(boolean onEpoch) {
            this.onEpoch = Optional.of(onEpoch);
            return this;
        }

        public Builder progBar(boolean progBar) {
            this.progBar = progBar;
            return this;
        }

        public Builder logger(boolean logger) {
            this.logger = logger;
            return this;
        }

        /** One of "mean", "sum", "max", "min" (case-insensitive). */
        public Builder reduceFx(String reduceFx) {
            String fx = reduceFx == null ? "" : reduceFx.toLowerCase(Locale.ROOT);
            if (!REDUCE_FX.contains(fx)) {
                throw new MisconfigurationException("reduce_fx='" + reduceFx
                        + "' is not supported; use one of 'mean', 'sum', 'max', 'min'");
            }
            this.reduceFx = fx;
            return this;
        }

        public Builder batchSize(long batchSize) {
            if (batchSize < 1) {
                throw new MisconfigurationException("batch_size must be >= 1 when given, got " + batchSize);
            }
            this.batchSize = OptionalLong.of(batchSize);
            return this;
        }

        /**
         * Reduce the value across ranks (mean by default, or the {@link #reduceFx(String) reduce_fx}) under DDP:
         * step values at every log call, epoch aggregates over all ranks' samples. Lightning: {@code sync_dist=True}.
         */
        public Builder syncDist(boolean syncDist) {
            this.syncDist = syncDist;
            return this;
        }

        public LogOptions build() {
            return new LogOptions(this);
        }
    }
}
