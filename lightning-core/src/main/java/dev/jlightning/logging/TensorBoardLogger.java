package dev.jlightning.logging;

import com.google.protobuf.ByteString;
import dev.jlightning.logging.tensorboard.EventFileWriter;
import dev.jlightning.logging.tensorboard.HParams;
import dev.jlightning.logging.tensorboard.HParamsSummaries;
import dev.jlightning.logging.tensorboard.Histogram;
import dev.jlightning.logging.tensorboard.Summaries;
import dev.jlightning.logging.tensorboard.WallClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Logs a run to TensorBoard event files in Lightning's layout, {@code <save_dir>/<name>/version_<n>[/<sub_dir>]}.
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.loggers.TensorBoardLogger} writing through
 * {@code torch.utils.tensorboard.SummaryWriter}, and read by TensorBoard like a file from Python:
 * <ul>
 *   <li>{@link #logMetrics(Map, long)}: one scalar per metric ({@code add_scalar}, float32 {@code simple_value}),
 *       keys prefixed with {@code <prefix>-} when a prefix is set;</li>
 *   <li>{@link #logHyperparams(Map, Map, long)}: the metrics as scalars, then the hparams plugin's experiment,
 *       session start and session end summaries, so the HPARAMS dashboard lists the run; without metrics, the
 *       default {@code hp_metric = -1} is logged unless {@code defaultHpMetric(false)};</li>
 *   <li>{@link #logText(String, String, long)} and {@link #logHistogram(String, double[], long)}: {@code add_text}
 *       and {@code add_histogram} with TensorBoard's default buckets;</li>
 *   <li>{@link #save()}: flushes and, once the log directory exists, writes {@code hparams.yaml} if absent;
 *       {@link #finish(String)}: flushes and closes the event file (and saves on "success"). Logging after finish
 *       opens a new event file in the same directory, as {@code SummaryWriter} does.</li>
 * </ul>
 * The event file is created on first use ({@code SummaryWriter} is created lazily by Lightning's
 * {@code experiment} property); the version is resolved when the logger is built. Buffered events are flushed
 * when a write comes more than {@code flushSecs} (default 120) after the last scheduled flush, and on save and
 * finish. Thread-safe: every call holds the logger's lock.
 */
public final class TensorBoardLogger implements Logger {

    /** Lightning's default experiment name. */
    public static final String DEFAULT_NAME = "lightning_logs";
    /** {@code SummaryWriter}'s default {@code flush_secs}. */
    public static final double DEFAULT_FLUSH_SECS = 120;
    /** Lightning's {@code LOGGER_JOIN_CHAR}, between the prefix and a metric name. */
    public static final String LOGGER_JOIN_CHAR = "-";
    /** The placeholder metric Lightning logs with hyperparameters. */
    public static final String HP_METRIC = "hp_metric";

    private final Path saveDir;
    private final String name;
    private final String version;
    private final Path logDir;
    private final Optional<String> subDir;
    private final String prefix;
    private final boolean defaultHpMetric;
    private final double flushSecs;
    private final WallClock clock;

    // Lightning's self.hparams: every params map given, merged unflattened, for hparams.yaml.
    private final Map<String, Object> hparams = new LinkedHashMap<>();
    private boolean experimentStarted;
    private EventFileWriter writer;

    private TensorBoardLogger(Builder b, String versionDirName, String version) {
        this.saveDir = b.saveDir;
        this.name = b.name;
        this.version = version;
        Path runDir = LogDirectory.rootDir(b.saveDir, b.name).resolve(versionDirName);
        this.logDir = b.subDir.map(runDir::resolve).orElse(runDir);
        this.subDir = b.subDir;
        this.prefix = b.prefix;
        this.defaultHpMetric = b.defaultHpMetric;
        this.flushSecs = b.flushSecs;
        this.clock = b.clock;
    }

    /** A builder for a logger writing under {@code saveDir}. */
    public static Builder builder(Path saveDir) {
        return new Builder(saveDir);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Path logDir() {
        return logDir;
    }

    /** Lightning's {@code save_dir}. */
    public Path saveDir() {
        return saveDir;
    }

    /** Lightning's {@code root_dir}: {@code save_dir/name}, or {@code save_dir} when the name is empty. */
    public Path rootDir() {
        return LogDirectory.rootDir(saveDir, name);
    }

    /** Lightning's {@code sub_dir}, if set. */
    public Optional<String> subDir() {
        return subDir;
    }

    /** The metric-name prefix, empty for none. */
    public String prefix() {
        return prefix;
    }

    /** Seconds buffered events may wait before a write flushes them. */
    public double flushSecs() {
        return flushSecs;
    }

    /** Whether hyperparameters logged without metrics bring {@code hp_metric = -1}. */
    public boolean defaultHpMetric() {
        return defaultHpMetric;
    }

    /** The event file being written, if one is open. */
    public synchronized Optional<Path> eventFile() {
        return writer == null ? Optional.empty() : Optional.of(writer.path());
    }

    /**
     * Logs each metric as a scalar at {@code step}. Lightning: {@code log_metrics}.
     *
     * @throws IllegalArgumentException if a metric name or value is null
     */
    @Override
    public synchronized void logMetrics(Map<String, ? extends Number> metrics, long step) {
        logMetrics(metrics, OptionalLong.of(step));
    }

    /** Records {@code params}; logs {@code hp_metric = -1} with them unless {@code defaultHpMetric(false)}. */
    @Override
    public synchronized void logHyperparams(Map<String, ?> params) {
        Map<String, Number> metrics = defaultHpMetric ? Map.of(HP_METRIC, -1) : Map.of();
        logHyperparams(params, metrics, OptionalLong.empty());
    }

    /**
     * Records {@code params} with the metrics the HPARAMS dashboard shows beside them. The metrics are logged as
     * scalars without a step (read as step 0); an empty map logs nothing to TensorBoard, as in Lightning.
     */
    public synchronized void logHyperparams(Map<String, ?> params, Map<String, ? extends Number> metrics) {
        logHyperparams(params, metrics, OptionalLong.empty());
    }

    /** As {@link #logHyperparams(Map, Map)}, with the metrics and hparams summaries at {@code step}. */
    public synchronized void logHyperparams(Map<String, ?> params, Map<String, ? extends Number> metrics,
                                            long step) {
        logHyperparams(params, metrics, OptionalLong.of(step));
    }

    /**
     * Logs {@code text} (rendered as Markdown by TensorBoard) under {@code <tag>/text_summary}, as
     * {@code SummaryWriter.add_text} does.
     */
    public synchronized void logText(String tag, String text, long step) {
        requireArgument(tag, "tag");
        requireArgument(text, "text");
        write(Summaries.text(tag, text), OptionalLong.of(step));
    }

    /**
     * Logs a histogram of {@code values} with TensorBoard's default buckets, as {@code SummaryWriter.add_histogram}
     * does.
     *
     * @throws IllegalArgumentException if {@code values} is empty or holds a non-finite value
     */
    public synchronized void logHistogram(String tag, double[] values, long step) {
        requireArgument(tag, "tag");
        requireArgument(values, "values");
        write(Summaries.histogram(tag, Histogram.of(values)), OptionalLong.of(step));
    }

    /**
     * Logs a histogram of every element of {@code values} (any shape, device and real dtype; read without
     * tracking gradients), e.g. a parameter or its gradient.
     *
     * @throws IllegalArgumentException if the tensor is undefined, complex, empty or holds a non-finite value
     */
    public synchronized void logHistogram(String tag, Tensor values, long step) {
        requireArgument(tag, "tag");
        logHistogram(tag, toDoubles(tag, values), step);
    }

    /** Flushes the event file (creating it if none was), then writes {@code hparams.yaml} if missing. */
    @Override
    public synchronized void save() {
        EventFileWriter w = experiment();
        if (w != null) {
            w.flush();
        }
        Path yaml = logDir.resolve(HparamsYaml.FILE_NAME);
        if (Files.isDirectory(logDir) && !Files.exists(yaml)) {
            HparamsYaml.write(yaml, hparams);
        }
    }

    /** Flushes and closes the event file, then on "success" {@link #save()}s. Lightning: {@code finalize}. */
    @Override
    public synchronized void finish(String status) {
        if (writer != null) {
            writer.close();
            writer = null;
        }
        if ("success".equals(status)) {
            save();
        }
    }

    private void logMetrics(Map<String, ? extends Number> metrics, OptionalLong step) {
        requireArgument(metrics, "metrics");
        for (Map.Entry<String, ? extends Number> e : metrics.entrySet()) {
            requireArgument(e.getKey(), "metric name");
            if (e.getValue() == null) {
                throw new IllegalArgumentException("metric '" + e.getKey() + "' has no value (null); "
                        + "a number is required");
            }
            String tag = prefix.isEmpty() ? e.getKey() : prefix + LOGGER_JOIN_CHAR + e.getKey();
            write(Summaries.scalar(tag, e.getValue().doubleValue()), step);
        }
    }

    private void logHyperparams(Map<String, ?> params, Map<String, ? extends Number> metrics, OptionalLong step) {
        requireArgument(params, "params");
        requireArgument(metrics, "metrics");
        params.keySet().forEach(k -> requireArgument(k, "hyperparameter name"));
        hparams.putAll(params);
        Map<String, Object> flat = HParams.flattenAndSanitize(params);
        if (metrics.isEmpty()) {
            return;
        }
        logMetrics(metrics, step);
        // Lightning names the metrics without the prefix here, although log_metrics wrote them with it.
        List<ByteString> summaries = HParamsSummaries.of(flat, metrics.keySet());
        for (ByteString summary : summaries) {
            write(summary, step);
        }
    }

    private void write(ByteString summary, OptionalLong step) {
        if (writer == null) {
            // SummaryWriter._get_file_writer: a closed writer is replaced by a new event file.
            writer = EventFileWriter.open(logDir, clock, flushSecs);
            experimentStarted = true;
        }
        writer.addSummary(summary, step);
    }

    /** Lightning's {@code experiment} property: created on first use, then the same (closed or not). */
    private EventFileWriter experiment() {
        if (!experimentStarted) {
            writer = EventFileWriter.open(logDir, clock, flushSecs);
            experimentStarted = true;
        }
        return writer;
    }

    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    private static double[] toDoubles(String tag, Tensor values) {
        if (values == null || values.isNull() || !values.defined()) {
            throw new IllegalArgumentException("histogram '" + tag + "': the tensor is undefined");
        }
        if (values.is_complex()) {
            throw new IllegalArgumentException("histogram '" + tag + "': complex tensors are not accepted, dtype "
                    + values.scalar_type());
        }
        long n = values.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("histogram '" + tag + "': " + n + " elements exceed a Java array");
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor flat = values.detach().cpu().to(ScalarType.Double).contiguous().reshape(-1);
            double[] data = new double[(int) n];
            if (n > 0) {
                flat.data_ptr_double().get(data);
            }
            return data;
        }
    }

    private static void requireArgument(Object value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
    }

    /**
     * Immutable-once-built configuration of a {@link TensorBoardLogger}, with Lightning's defaults: name
     * "lightning_logs", next free version, no sub directory, no prefix, {@code default_hp_metric=True},
     * {@code flush_secs=120}, the system clock.
     */
    public static final class Builder {
        private final Path saveDir;
        private String name = DEFAULT_NAME;
        private OptionalInt versionNumber = OptionalInt.empty();
        private Optional<String> versionName = Optional.empty();
        private Optional<String> subDir = Optional.empty();
        private String prefix = "";
        private boolean defaultHpMetric = true;
        private double flushSecs = DEFAULT_FLUSH_SECS;
        private WallClock clock = WallClock.system();

        private Builder(Path saveDir) {
            requireArgument(saveDir, "saveDir");
            this.saveDir = saveDir;
        }

        /** Experiment name; the empty string puts versions directly under {@code saveDir}. */
        public Builder name(String name) {
            requireArgument(name, "name");
            this.name = name;
            return this;
        }

        /** Explicit version number: the run goes to {@code version_<version>}. */
        public Builder version(int version) {
            if (version < 0) {
                throw new IllegalArgumentException("version must be >= 0, got " + version);
            }
            this.versionNumber = OptionalInt.of(version);
            this.versionName = Optional.empty();
            return this;
        }

        /** Explicit version directory name, used verbatim as Lightning uses a string version. */
        public Builder version(String version) {
            requireArgument(version, "version");
            if (version.isBlank()) {
                throw new IllegalArgumentException("version must be a non-blank directory name, got '" + version
                        + "'; use version(int) or leave it unset for version_<n>");
            }
            this.versionName = Optional.of(version);
            this.versionNumber = OptionalInt.empty();
            return this;
        }

        /** Sub-directory of the version directory that holds the event files (Lightning's {@code sub_dir}). */
        public Builder subDir(String subDir) {
            requireArgument(subDir, "subDir");
            if (subDir.isBlank()) {
                throw new IllegalArgumentException("subDir must be a non-blank directory name, got '" + subDir
                        + "'; leave it unset for none");
            }
            this.subDir = Optional.of(subDir);
            return this;
        }

        /** Prefix of every metric name, joined with {@code -}; empty for none. */
        public Builder prefix(String prefix) {
            requireArgument(prefix, "prefix");
            this.prefix = prefix;
            return this;
        }

        /** Whether {@link #logHyperparams(Map)} without metrics logs {@code hp_metric = -1} (default true). */
        public Builder defaultHpMetric(boolean defaultHpMetric) {
            this.defaultHpMetric = defaultHpMetric;
            return this;
        }

        /** Seconds buffered events may wait before a write flushes them (default 120); positive. */
        public Builder flushSecs(double flushSecs) {
            if (!(flushSecs > 0) || Double.isInfinite(flushSecs)) {
                throw new IllegalArgumentException("flushSecs must be a positive number of seconds, got "
                        + flushSecs);
            }
            this.flushSecs = flushSecs;
            return this;
        }

        /** The clock for wall times, file names and the flush schedule (default: the system clock). */
        public Builder clock(WallClock clock) {
            requireArgument(clock, "clock");
            this.clock = clock;
            return this;
        }

        /** Resolves the version (the next free {@code version_<n>} when none was given) and builds the logger. */
        public TensorBoardLogger build() {
            if (versionName.isPresent()) {
                return new TensorBoardLogger(this, versionName.get(), versionName.get());
            }
            int n = versionNumber.isPresent()
                    ? versionNumber.getAsInt()
                    : LogDirectory.nextVersion(LogDirectory.rootDir(saveDir, name));
            return new TensorBoardLogger(this, "version_" + n, Integer.toString(n));
        }
    }
}
