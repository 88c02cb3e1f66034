package dev.jlightning.trainer;

import dev.jlightning.checkpoint.AtomicCheckpointIO;
import dev.jlightning.checkpoint.CheckpointIO;
import dev.jlightning.core.Callback;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.logging.Logger;
import dev.jlightning.precision.Precision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The Trainer's configuration: immutable, validated when built, with Lightning's {@code Trainer(...)} argument names
 * in camelCase and Lightning's defaults.
 *
 * <p>Build it with {@code Trainer.builder()...build()}, which returns the {@link Trainer}. Every wrong value throws a
 * {@link MisconfigurationException} naming the option and what is accepted, before any data is touched.
 */
public final class TrainerConfig {

    final int maxEpochs;
    final int minEpochs;
    final long maxSteps;
    final BatchLimit limitTrainBatches;
    final BatchLimit limitValBatches;
    final BatchLimit limitTestBatches;
    final BatchLimit limitPredictBatches;
    final OptionalDouble valCheckFraction;
    final OptionalInt valCheckBatches;
    final OptionalInt checkValEveryNEpoch;
    final int numSanityValSteps;
    final int accumulateGradBatches;
    final OptionalDouble gradientClipVal;
    final GradientClipAlgorithm gradientClipAlgorithm;
    final int fastDevRun;
    final String accelerator;
    final String deviceSpec;
    final List<Callback> callbacks;
    final List<Logger> loggers;
    final int logEveryNSteps;
    final Path defaultRootDir;
    final boolean enableProgressBar;
    final boolean detectAnomaly;
    final OptionalInt intraOpThreads;
    final boolean enableModelSummary;
    final CheckpointIO checkpointIO;
    final String strategy;
    final int devices;
    final int numNodes;
    final boolean useDistributedSampler;
    final Duration collectiveTimeout;
    final Map<String, String> environment;
    // Lightning defaults added together: enable_checkpointing, deterministic
    final boolean enableCheckpointing;
    final java.util.Optional<Deterministic> deterministic;
    final String precision;
    final java.util.Optional<Precision> precisionPlugin;

    private TrainerConfig(Builder b) {
        this.fastDevRun = b.fastDevRun;
        boolean fdr = b.fastDevRun > 0;
        this.maxSteps = fdr ? b.fastDevRun : b.maxSteps;
        this.maxEpochs = fdr ? 1 : b.maxEpochs.orElse(b.maxSteps == -1 ? 1000 : -1);
        this.minEpochs = b.minEpochs;
        this.limitTrainBatches = fdr ? BatchLimit.count("limit_train_batches", b.fastDevRun) : b.limitTrainBatches;
        this.limitValBatches = fdr ? BatchLimit.count("limit_val_batches", b.fastDevRun) : b.limitValBatches;
        this.limitTestBatches = fdr ? BatchLimit.count("limit_test_batches", b.fastDevRun) : b.limitTestBatches;
        this.limitPredictBatches = fdr ? BatchLimit.count("limit_predict_batches", b.fastDevRun)
                : b.limitPredictBatches;
        this.valCheckFraction = fdr ? OptionalDouble.of(1.0) : b.valCheckFraction;
        this.valCheckBatches = fdr ? OptionalInt.empty() : b.valCheckBatches;
        this.checkValEveryNEpoch = b.checkValEveryNEpoch;
        this.numSanityValSteps = fdr ? 0 : b.numSanityValSteps;
        this.accumulateGradBatches = b.accumulateGradBatches;
        this.gradientClipVal = b.gradientClipVal;
        this.gradientClipAlgorithm = b.gradientClipAlgorithm;
        this.accelerator = b.accelerator;
        this.strategy = StrategySelector.resolveName(b.strategy, b.devices, b.numNodes);
        this.devices = b.devices;
        this.numNodes = b.numNodes;
        this.deviceSpec = AcceleratorConnector.resolve(b.accelerator, b.devices, !"single_device".equals(strategy));
        this.useDistributedSampler = b.useDistributedSampler;
        this.collectiveTimeout = b.collectiveTimeout;
        this.environment = b.environment.orElseGet(System::getenv);
        this.callbacks = List.copyOf(b.callbacks);
        this.loggers = b.loggers.orElseGet(() -> List.of(CSVLogger.of(b.defaultRootDir)));
        this.logEveryNSteps = fdr ? 1 : b.logEveryNSteps;
        this.defaultRootDir = b.defaultRootDir;
        this.enableProgressBar = b.enableProgressBar;
        this.detectAnomaly = b.detectAnomaly;
        this.intraOpThreads = b.intraOpThreads;
        this.enableModelSummary = b.enableModelSummary;
        this.checkpointIO = b.checkpointIO;
        this.enableCheckpointing = b.enableCheckpointing;
        this.deterministic = b.deterministic;
        this.precision = b.precisionPlugin.map(Precision::name).orElse(b.precision);
        this.precisionPlugin = b.precisionPlugin;
    }

    static Builder builder() {
        return new Builder();
    }

    public int maxEpochs() {
        return maxEpochs;
    }

    public int minEpochs() {
        return minEpochs;
    }

    public long maxSteps() {
        return maxSteps;
    }

    public int accumulateGradBatches() {
        return accumulateGradBatches;
    }

    public int logEveryNSteps() {
        return logEveryNSteps;
    }

    public int fastDevRun() {
        return fastDevRun;
    }

    public int numSanityValSteps() {
        return numSanityValSteps;
    }

    public OptionalDouble gradientClipVal() {
        return gradientClipVal;
    }

    public GradientClipAlgorithm gradientClipAlgorithm() {
        return gradientClipAlgorithm;
    }

    /** "cpu", "cuda" or "auto", as asked. */
    public String accelerator() {
        return accelerator;
    }

    /** The device the runs use, e.g. "cpu" or "cuda:0". */
    public String deviceSpec() {
        return deviceSpec;
    }

    /** How checkpoints are written and read; crash-safe {@link AtomicCheckpointIO} by default. */
    public CheckpointIO checkpointIO() {
        return checkpointIO;
    }

    /** The strategy's registry name after "auto" is resolved: "single_device", "ddp", ... */
    public String strategy() {
        return strategy;
    }

    /** Devices per node: processes for DDP on CPU, GPUs for DDP on CUDA. */
    public int devices() {
        return devices;
    }

    /** Nodes (machines) of the job. Lightning: {@code num_nodes}. */
    public int numNodes() {
        return numNodes;
    }

    /** Whether the Trainer splits the loaders' data among ranks. Lightning: {@code use_distributed_sampler}. */
    public boolean useDistributedSampler() {
        return useDistributedSampler;
    }

    /** How long a collective may wait for the other ranks before it fails (default 30 minutes, as PyTorch). */
    public Duration collectiveTimeout() {
        return collectiveTimeout;
    }

    /** Lightning's {@code check_val_every_n_epoch}; empty for {@code None} (validation counted across epochs). */
    public OptionalInt checkValEveryNEpoch() {
        return checkValEveryNEpoch;
    }

    /** Lightning's {@code val_check_interval} as a fraction of the epoch, when it was given as one. */
    public OptionalDouble valCheckFraction() {
        return valCheckFraction;
    }

    /** Lightning's {@code val_check_interval} as a number of batches, when it was given as one. */
    public OptionalInt valCheckBatches() {
        return valCheckBatches;
    }

    public Path defaultRootDir() {
        return defaultRootDir;
    }

    /** Whether a default progress bar is added (when the callbacks module is present). */
    public boolean enableProgressBar() {
        return enableProgressBar;
    }

    /** Whether training stops at the first non-finite loss (Lightning's {@code detect_anomaly}). */
    public boolean detectAnomaly() {
        return detectAnomaly;
    }

    /** The intra-op thread count set when the Trainer runs, if one was chosen. */
    public OptionalInt intraOpThreads() {
        return intraOpThreads;
    }

    /** Whether a default model summary is printed at fit start (when the callbacks module is present). */
    public boolean enableModelSummary() {
        return enableModelSummary;
    }

    /**
     * Whether a default {@code ModelCheckpoint} is added (when the callbacks module is present and none is among the
     * callbacks). Lightning: {@code enable_checkpointing}, default true.
     */
    public boolean enableCheckpointing() {
        return enableCheckpointing;
    }

    /**
     * LibTorch's deterministic-algorithms setting this Trainer applies when it is built; empty (the default) leaves
     * the process's setting as it is. Lightning: {@code deterministic} ({@code None}, {@code True}, {@code False},
     * {@code "warn"}).
     */
    public java.util.Optional<Deterministic> deterministic() {
        return deterministic;
    }

    /** Lightning's precision flag after aliases are resolved: "32-true" (default), "bf16-mixed", "16-mixed", ... */
    public String precision() {
        return precision;
    }

    /** The precision plugin given with {@code precision(Precision)}, if one was. */
    public java.util.Optional<Precision> precisionPlugin() {
        return precisionPlugin;
    }

    /** Builder of a {@link Trainer}; each setter validates its value. */
    public static final class Builder {
        private java.util.Optional<Integer> maxEpochs = java.util.Optional.empty();
        private int minEpochs;
        private long maxSteps = -1;
        private BatchLimit limitTrainBatches = BatchLimit.ALL;
        private BatchLimit limitValBatches = BatchLimit.ALL;
        private BatchLimit limitTestBatches = BatchLimit.ALL;
        private BatchLimit limitPredictBatches = BatchLimit.ALL;
        private OptionalDouble valCheckFraction = OptionalDouble.of(1.0);
        private OptionalInt valCheckBatches = OptionalInt.empty();
        private OptionalInt checkValEveryNEpoch = OptionalInt.of(1);
        private int numSanityValSteps = 2;
        private int accumulateGradBatches = 1;
        private OptionalDouble gradientClipVal = OptionalDouble.empty();
        private GradientClipAlgorithm gradientClipAlgorithm = GradientClipAlgorithm.NORM;
        private int fastDevRun;
        private String accelerator = "auto";
        private int devices = 1;
        private final List<Callback> callbacks = new ArrayList<>();
        private java.util.Optional<List<Logger>> loggers = java.util.Optional.empty();
        private int logEveryNSteps = 50;
        private Path defaultRootDir = Path.of(".");
        private boolean enableProgressBar = true;
        private boolean detectAnomaly;
        private OptionalInt intraOpThreads = OptionalInt.empty();
        private boolean enableModelSummary = true;
        private CheckpointIO checkpointIO = new AtomicCheckpointIO();
        private String strategy = "auto";
        private int numNodes = 1;
        private boolean useDistributedSampler = true;
        private Duration collectiveTimeout = Duration.ofMinutes(30);
        private java.util.Optional<Map<String, String>> environment = java.util.Optional.empty();
        private boolean enableCheckpointing = true;
        private java.util.Optional<Deterministic> deterministic = java.util.Optional.empty();
        private String precision = "32-true";
        private java.util.Optional<Precision> precisionPlugin = java.util.Optional.empty();

        private Builder() {
        }

        /**
         * Whether to save checkpoints with a default {@code ModelCheckpoint} (default true, as Lightning's
         * {@code enable_checkpointing}): every epoch to {@code <log_dir>/checkpoints/epoch=E-step=S.ckpt}, keeping
         * the latest. It is the callbacks module's {@code ModelCheckpoint}, added when that module is on the class
         * path and no {@code ModelCheckpoint} is among the callbacks; with {@code false} a {@code ModelCheckpoint}
         * among the callbacks is a configuration error.
         */
        public Builder enableCheckpointing(boolean enabled) {
            this.enableCheckpointing = enabled;
            return this;
        }

        /**
         * Numerical precision, Lightning's {@code precision}: "32-true" (default), "64-true", "bf16-mixed" (autocast
         * to bfloat16, CPU and CUDA), "16-mixed" (autocast to float16 with a gradient scaler, CUDA only), "bf16-true",
         * "16-true"; Lightning's short forms "64", "32", "16" (= "16-mixed") and "bf16" (= "bf16-mixed") are accepted.
         * "16-mixed" on CPU is refused when the Trainer is built.
         */
        public Builder precision(String precision) {
            this.precision = Precision.canonicalFlag(precision);
            this.precisionPlugin = java.util.Optional.empty();
            return this;
        }

        /**
         * {@code true} makes LibTorch use deterministic algorithms only, and an operation without one fails;
         * {@code false} allows nondeterministic ones. Applied to the whole process when the Trainer is built, as
         * Lightning's {@code Trainer(deterministic=...)} calls {@code torch.use_deterministic_algorithms}; unset
         * (the default) leaves the setting alone.
         */
        public Builder deterministic(boolean deterministic) {
            this.deterministic = java.util.Optional.of(deterministic ? Deterministic.TRUE : Deterministic.FALSE);
            return this;
        }

        /**
         * {@code "warn"}: deterministic algorithms where LibTorch has them, and a warning (not an error) for an
         * operation without one. Lightning: {@code deterministic="warn"}.
         */
        public Builder deterministic(String mode) {
            this.deterministic = java.util.Optional.of(Deterministic.fromKey(mode));
            return this;
        }

        /**
         * A precision plugin built by hand, e.g. {@code MixedPrecision.of("16-mixed", DeviceType.CUDA,
         * Optional.of(GradScaler.builder().initScale(1024).build()))}. Lightning: {@code plugins=[MixedPrecision(...)]}.
         */
        public Builder precision(Precision plugin) {
            if (plugin == null) {
                throw new MisconfigurationException("precision plugin must not be null; leave it unset for 32-true");
            }
            this.precisionPlugin = java.util.Optional.of(plugin);
            return this;
        }

        /** {@code precision(64)}, {@code precision(32)} or {@code precision(16)}: Lightning's integer forms. */
        public Builder precision(int precision) {
            this.precision = Precision.canonicalFlag(Integer.toString(precision));
            this.precisionPlugin = java.util.Optional.empty();
            return this;
        }

        /** Stop after this many epochs; -1 for no epoch limit. Default 1000 (or none when maxSteps is set). */
        public Builder maxEpochs(int maxEpochs) {
            if (maxEpochs < -1) {
                throw new MisconfigurationException("`max_epochs` must be a non-negative integer or -1, got "
                        + maxEpochs);
            }
            this.maxEpochs = java.util.Optional.of(maxEpochs);
            return this;
        }

        /** Keep training at least this many epochs, even when a callback asks to stop. */
        public Builder minEpochs(int minEpochs) {
            if (minEpochs < 0) {
                throw new MisconfigurationException("`min_epochs` must be >= 0, got " + minEpochs);
            }
            this.minEpochs = minEpochs;
            return this;
        }

        /** Stop after this many optimizer steps; -1 (default) for no limit. */
        public Builder maxSteps(long maxSteps) {
            if (maxSteps < -1) {
                throw new MisconfigurationException("`max_steps` must be a non-negative integer or -1, got "
                        + maxSteps);
            }
            this.maxSteps = maxSteps;
            return this;
        }

        public Builder limitTrainBatches(int batches) {
            this.limitTrainBatches = BatchLimit.count("limit_train_batches", batches);
            return this;
        }

        public Builder limitTrainBatches(double fraction) {
            this.limitTrainBatches = BatchLimit.fraction("limit_train_batches", fraction);
            return this;
        }

        public Builder limitValBatches(int batches) {
            this.limitValBatches = BatchLimit.count("limit_val_batches", batches);
            return this;
        }

        public Builder limitValBatches(double fraction) {
            this.limitValBatches = BatchLimit.fraction("limit_val_batches", fraction);
            return this;
        }

        public Builder limitTestBatches(int batches) {
            this.limitTestBatches = BatchLimit.count("limit_test_batches", batches);
            return this;
        }

        public Builder limitTestBatches(double fraction) {
            this.limitTestBatches = BatchLimit.fraction("limit_test_batches", fraction);
            return this;
        }

        public Builder limitPredictBatches(int batches) {
            this.limitPredictBatches = BatchLimit.count("limit_predict_batches", batches);
            return this;
        }

        /** Validate every this fraction of the training epoch, in (0, 1]. */
        public Builder valCheckInterval(double fraction) {
            if (!(fraction > 0.0 && fraction <= 1.0)) {
                throw new MisconfigurationException("`val_check_interval` (" + fraction + ") must be in the range"
                        + " (0.0, 1.0] as a fraction, or a positive number of batches");
            }
            this.valCheckFraction = OptionalDouble.of(fraction);
            this.valCheckBatches = OptionalInt.empty();
            return this;
        }

        /** Validate every this many training batches. */
        public Builder valCheckInterval(int batches) {
            if (batches < 1) {
                throw new MisconfigurationException("`val_check_interval` (" + batches + ") must be a positive"
                        + " number of batches, or a fraction in (0.0, 1.0]");
            }
            this.valCheckBatches = OptionalInt.of(batches);
            this.valCheckFraction = OptionalDouble.empty();
            return this;
        }

        /** Validate after every n-th epoch (default 1). */
        public Builder checkValEveryNEpoch(int n) {
            if (n < 1) {
                throw new MisconfigurationException("`check_val_every_n_epoch` should be an integer >= 1, got " + n);
            }
            this.checkValEveryNEpoch = OptionalInt.of(n);
            return this;
        }

        /**
         * Lightning's {@code check_val_every_n_epoch=None}: validation follows {@code valCheckInterval} counted in
         * batches across epochs.
         */
        public Builder checkValAcrossEpochs() {
            this.checkValEveryNEpoch = OptionalInt.empty();
            return this;
        }

        /** Validation batches run before training as a sanity check (default 2; -1 for all). */
        public Builder numSanityValSteps(int n) {
            if (n < -1) {
                throw new MisconfigurationException("`num_sanity_val_steps` must be >= -1, got " + n);
            }
            this.numSanityValSteps = n;
            return this;
        }

        /** Accumulate gradients over this many batches per optimizer step. */
        public Builder accumulateGradBatches(int n) {
            if (n < 1) {
                throw new MisconfigurationException("Gradient accumulation supports only int values >= 1, got"
                        + " accumulate_grad_batches=" + n);
            }
            this.accumulateGradBatches = n;
            return this;
        }

        /** Clip gradients to this value (norm or element value, see {@link #gradientClipAlgorithm(String)}). */
        public Builder gradientClipVal(double value) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new MisconfigurationException("`gradient_clip_val` must be a finite number >= 0, got " + value);
            }
            this.gradientClipVal = value == 0 ? OptionalDouble.empty() : OptionalDouble.of(value);
            return this;
        }

        /** "norm" (default) or "value". */
        public Builder gradientClipAlgorithm(String algorithm) {
            this.gradientClipAlgorithm = GradientClipAlgorithm.fromKey(algorithm);
            return this;
        }

        public Builder gradientClipAlgorithm(GradientClipAlgorithm algorithm) {
            this.gradientClipAlgorithm = algorithm;
            return this;
        }

        /** Runs 1 batch of train/val/test as a smoke test, with no loggers. */
        public Builder fastDevRun(boolean enabled) {
            this.fastDevRun = enabled ? 1 : 0;
            return this;
        }

        /** Runs n batches of train/val/test as a smoke test, with no loggers. */
        public Builder fastDevRun(int batches) {
            if (batches < 0) {
                throw new MisconfigurationException("fast_dev_run=" + batches + " is not a valid configuration."
                        + " It should be >= 0.");
            }
            this.fastDevRun = batches;
            return this;
        }

        /** "cpu", "cuda" (or "gpu") or "auto" (default). */
        public Builder accelerator(String accelerator) {
            this.accelerator = AcceleratorConnector.validateAccelerator(accelerator);
            return this;
        }

        /**
         * Devices per node (default 1). With more than one, {@code strategy("auto")} becomes DDP: on CPU that many
         * processes, on CUDA one process per GPU.
         */
        public Builder devices(int devices) {
            if (devices < 1) {
                throw new MisconfigurationException("`devices` must be an int >= 1, got " + devices);
            }
            this.devices = devices;
            return this;
        }

        /** Nodes (machines) running the job, each with {@code devices} processes. Lightning: {@code num_nodes}. */
        public Builder numNodes(int numNodes) {
            if (numNodes < 1) {
                throw new MisconfigurationException("`num_nodes` must be an int >= 1, got " + numNodes);
            }
            this.numNodes = numNodes;
            return this;
        }

        /**
         * "auto" (default: DDP when {@code devices * numNodes > 1}, else a single device), "ddp",
         * "ddp_find_unused_parameters_true" or "single_device". Lightning: {@code strategy}.
         */
        public Builder strategy(String strategy) {
            this.strategy = StrategySelector.validateName(strategy);
            return this;
        }

        /** Whether to give each rank its share of the data with a distributed sampler (default true). */
        public Builder useDistributedSampler(boolean use) {
            this.useDistributedSampler = use;
            return this;
        }

        /**
         * How long a collective (gradient all-reduce, barrier, rendezvous) waits for the other ranks before failing.
         * Lightning: {@code DDPStrategy(timeout=...)}; default 30 minutes.
         */
        public Builder collectiveTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new MisconfigurationException("collectiveTimeout must be a positive duration, got " + timeout);
            }
            this.collectiveTimeout = timeout;
            return this;
        }

        /** The environment variables the cluster environment is read from; the process's own by default. */
        Builder environment(Map<String, String> variables) {
            this.environment = java.util.Optional.of(Map.copyOf(variables));
            return this;
        }

        public Builder callbacks(Callback... callbacks) {
            for (Callback c : callbacks) {
                if (c == null) {
                    throw new MisconfigurationException("callbacks must not contain null");
                }
            }
            this.callbacks.addAll(Arrays.asList(callbacks));
            return this;
        }

        /** The loggers; without this call a CSVLogger under defaultRootDir is used, as Lightning's default. */
        public Builder logger(Logger... loggers) {
            this.loggers = java.util.Optional.of(List.of(loggers));
            return this;
        }

        /** {@code logger(false)} disables logging, as Lightning's {@code logger=False}. */
        public Builder logger(boolean enabled) {
            this.loggers = enabled ? java.util.Optional.empty() : java.util.Optional.of(List.of());
            return this;
        }

        /** How often step metrics are sent to loggers (default 50; 0 disables step rows). */
        public Builder logEveryNSteps(int n) {
            if (n < 0) {
                throw new MisconfigurationException("`log_every_n_steps` must be >= 0, got " + n);
            }
            this.logEveryNSteps = n;
            return this;
        }

        /** Where the default logger and checkpoints go (default: the working directory). */
        public Builder defaultRootDir(Path dir) {
            this.defaultRootDir = dir;
            return this;
        }

        /**
         * Whether to show a progress bar (default true, as Lightning's {@code enable_progress_bar}). The bar is the
         * {@code ProgressBar} of the callbacks module, added when that module is on the class path and no progress
         * bar is among the callbacks.
         */
        public Builder enableProgressBar(boolean enabled) {
            this.enableProgressBar = enabled;
            return this;
        }

        /**
         * Stops training with an {@link AnomalyDetectedException} at the first {@code trainingStep} whose loss is NaN
         * or infinite, before its backward pass can spread the value into the weights (default false, as Lightning's
         * {@code detect_anomaly}; Lightning turns on autograd's anomaly mode, which raises in that backward pass).
         * Without it, the first non-finite loss is reported once as a warning and training goes on, as in Lightning.
         */
        public Builder detectAnomaly(boolean enabled) {
            this.detectAnomaly = enabled;
            return this;
        }

        /**
         * The number of threads LibTorch's intra-op pool and OpenBLAS (which computes float32 matrix products on
         * CPU, and which {@code torch.set_num_threads} does not reach) use in each process while the Trainer runs:
         * PyTorch's {@code torch.set_num_threads(n)}, applied by the Trainer. Unset (the default), the pools keep
         * what the program or LibTorch chose (one thread per core), except that DDP caps each of several processes
         * on a machine to its share of the cores, as Lightning does. That default is kept because it measured best:
         * LibTorch splits an operation across threads only above its grain size (32,768 elements), so a small model
         * runs single-threaded anyway and a large one gains (the README's "Speed and native memory").
         *
         * @throws MisconfigurationException if {@code threads < 1}
         */
        public Builder intraOpThreads(int threads) {
            if (threads < 1) {
                throw new MisconfigurationException("intraOpThreads must be >= 1, got " + threads);
            }
            this.intraOpThreads = OptionalInt.of(threads);
            return this;
        }

        /**
         * Whether to print a model summary at fit start (default true, as Lightning's {@code enable_model_summary}).
         * The summary is the {@code ModelSummary} of the callbacks module, added when that module is on the class
         * path and no model summary is among the callbacks.
         */
        public Builder enableModelSummary(boolean enabled) {
            this.enableModelSummary = enabled;
            return this;
        }

        /**
         * How checkpoints are written, read and removed. Lightning: a {@code CheckpointIO} in {@code plugins}.
         * Default: {@link AtomicCheckpointIO}.
         */
        public Builder checkpointIO(CheckpointIO io) {
            if (io == null) {
                throw new MisconfigurationException("checkpointIO must not be null; leave it unset for the default");
            }
            this.checkpointIO = io;
            return this;
        }

        /** Validates the combination of options and builds the Trainer. */
        public Trainer build() {
            int effectiveMax = maxEpochs.orElse(maxSteps == -1 ? 1000 : -1);
            if (effectiveMax != -1 && effectiveMax < minEpochs) {
                throw new MisconfigurationException("`max_epochs` (" + effectiveMax + ") must be >= `min_epochs` ("
                        + minEpochs + ")");
            }
            return Trainer.create(new TrainerConfig(this));
        }
    }
}
