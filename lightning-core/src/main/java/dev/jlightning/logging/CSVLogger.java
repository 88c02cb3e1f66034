package dev.jlightning.logging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;

/**
 * Writes metrics to {@code <save_dir>/<name>/version_<n>/metrics.csv} and hyperparameters to {@code hparams.yaml}.
 *
 * <p>Counterpart of {@code lightning.pytorch.loggers.CSVLogger} (Lightning 2.2), matching its files byte for byte:
 * rows are buffered and appended at each {@link #save()} (and every {@code flushLogsEveryNSteps} steps) to the file,
 * which stays open from the first save to {@link #finish(String)}; the header is
 * the sorted union of all keys seen, and when new keys appear the whole file is rewritten with the new header; comma
 * separated, CRLF line endings, minimal quoting, empty cells for missing keys, numbers as Python's {@code str()}
 * prints them. {@code hparams.yaml} is rewritten at every save, as Lightning 2.2 does.
 */
public final class CSVLogger implements Logger {

    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(CSVLogger.class);
    private static final String METRICS_FILE = "metrics.csv";
    private static final String HPARAMS_FILE = "hparams.yaml";

    private final Path saveDir;
    private final String name;
    private final Optional<String> version;
    private final boolean versionIsNumber;
    private final String prefix;
    private final int flushLogsEveryNSteps;
    private final boolean checkLogDirExists;

    private Path logDir;
    private String resolvedVersion;
    private final Map<String, Object> hparams = new LinkedHashMap<>();
    private boolean hparamsWritten;
    private final List<Map<String, Number>> buffer = new ArrayList<>();
    /** The header: every key seen so far, sorted as Lightning sorts them. */
    private final TreeSet<String> keys = new TreeSet<>();
    private Path metricsFile;
    /**
     * The metrics file, open for appending from the first save to {@link #finish(String)}: Lightning reopens it at
     * every save, which costs a stat, an open and a close per logging step and gives the same bytes.
     */
    private OutputStream out;

    private CSVLogger(Builder b) {
        this.saveDir = b.saveDir;
        this.name = b.name;
        this.version = b.version;
        this.versionIsNumber = b.versionIsNumber;
        this.prefix = b.prefix;
        this.flushLogsEveryNSteps = b.flushLogsEveryNSteps;
        this.checkLogDirExists = b.checkLogDirExists;
    }

    /** A logger under {@code saveDir} with Lightning's defaults (name "lightning_logs", next free version). */
    public static CSVLogger of(Path saveDir) {
        return builder(saveDir).build();
    }

    public static Builder builder(Path saveDir) {
        return new Builder(saveDir);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized String version() {
        resolve();
        return resolvedVersion;
    }

    /** {@code <save_dir>/<name>}. */
    public Path rootDir() {
        return LogDirectory.rootDir(saveDir, name);
    }

    @Override
    public synchronized Path logDir() {
        resolve();
        return logDir;
    }

    private void resolve() {
        if (logDir != null) {
            return;
        }
        // Lightning: an int version is the directory version_<n>, a string version is the directory name itself
        String dirName = version.isEmpty() ? LogDirectory.versionDirName(rootDir(), version)
                : versionIsNumber ? "version_" + version.get() : version.get();
        resolvedVersion = version.isEmpty() || versionIsNumber ? dirName.substring("version_".length()) : dirName;
        logDir = rootDir().resolve(dirName);
        metricsFile = logDir.resolve(METRICS_FILE);
        try {
            if (checkLogDirExists && Files.isDirectory(logDir)) {
                try (Stream<Path> children = Files.list(logDir)) {
                    if (children.findAny().isPresent()) {
                        LOG.warn("Experiment logs directory {} exists and is not empty. Previous log files in this"
                                + " directory will be deleted when the new ones are saved!", logDir);
                    }
                }
                Files.deleteIfExists(logDir.resolve(METRICS_FILE));
            }
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create log directory " + logDir, e);
        }
    }

    @Override
    public synchronized void logMetrics(Map<String, ? extends Number> metrics, long step) {
        resolve();
        Map<String, Number> row = new LinkedHashMap<>();
        metrics.forEach((k, v) -> row.put(prefix.isEmpty() ? k : prefix + "-" + k, v));
        row.put("step", step);
        buffer.add(row);
        if ((step + 1) % flushLogsEveryNSteps == 0) {
            save();
        }
    }

    /**
     * Records a row without a step: Lightning's {@code log_metrics(metrics, step=None)}, whose step is the number of
     * rows buffered since the last save.
     */
    public synchronized void logMetrics(Map<String, ? extends Number> metrics) {
        logMetrics(metrics, buffer.size());
    }

    /** The rows waiting for the next save; for tests of the flush rule. */
    synchronized List<Map<String, Number>> bufferedRows() {
        return List.copyOf(buffer);
    }

    @Override
    public synchronized void logHyperparams(Map<String, ?> params) {
        hparams.putAll(params);
        hparamsWritten = false;
    }

    /** The hyperparameters recorded so far. */
    public synchronized Map<String, Object> hparams() {
        return new LinkedHashMap<>(hparams);
    }

    @Override
    public synchronized void save() {
        resolve();
        // Lightning 2.2 rewrites hparams.yaml at every save; its content only changes when hyperparameters are logged
        if (!hparamsWritten) {
            HparamsYaml.write(logDir.resolve(HPARAMS_FILE), hparams);
            hparamsWritten = true;
        }
        if (buffer.isEmpty()) {
            return;
        }
        boolean exists = out != null || Files.isRegularFile(metricsFile);
        if (hasNewKeys()) {
            for (int i = 0; i < buffer.size(); i++) {
                keys.addAll(buffer.get(i).keySet());
            }
            if (exists) {
                try {
                    closeFile();
                    rewriteWithNewHeader(metricsFile, keys);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + metricsFile, e);
                }
            }
        }
        // one write per save: the rows are built as text here and handed to the kernel in a single call, so the file
        // is complete on disk after every save, as Lightning's close leaves it
        StringBuilder text = new StringBuilder(32 * keys.size() * (buffer.size() + 1));
        if (!exists) {
            row(text, keys);
        }
        for (int r = 0; r < buffer.size(); r++) {
            Map<String, Number> values = buffer.get(r);
            boolean first = true;
            for (String key : keys) {
                if (!first) {
                    text.append(',');
                }
                first = false;
                Number v = values.get(key);
                if (v != null) {
                    text.append(CsvRows.quote(PythonFormat.str(v)));
                }
            }
            text.append("\r\n");
        }
        try {
            if (out == null) {
                out = Files.newOutputStream(metricsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        exists ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
            }
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            try {
                closeFile();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + metricsFile, e);
        }
        buffer.clear();
    }

    private boolean hasNewKeys() {
        for (int i = 0; i < buffer.size(); i++) {
            for (String k : buffer.get(i).keySet()) {
                if (!keys.contains(k)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void closeFile() throws IOException {
        OutputStream w = out;
        out = null;
        if (w != null) {
            w.close();
        }
    }

    /**
     * Rewrites an existing metrics file under a new header, old rows keeping their values and getting empty cells for
     * new columns: Lightning's {@code _rewrite_with_new_header}.
     */
    static void rewriteWithNewHeader(Path file, Collection<String> keys) throws IOException {
        List<List<String>> oldRows = new ArrayList<>();
        List<String> oldHeader;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            oldHeader = CsvRows.parse(r.readLine());
            String line;
            while ((line = r.readLine()) != null) {
                oldRows.add(CsvRows.parse(line));
            }
        }
        StringBuilder text = row(new StringBuilder(), keys);
        for (List<String> old : oldRows) {
            List<String> cells = new ArrayList<>(keys.size());
            for (String k : keys) {
                int i = oldHeader.indexOf(k);
                cells.add(i >= 0 && i < old.size() ? old.get(i) : "");
            }
            row(text, cells);
        }
        Files.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static StringBuilder row(StringBuilder text, Iterable<String> cells) {
        boolean first = true;
        for (String cell : cells) {
            if (!first) {
                text.append(',');
            }
            first = false;
            text.append(CsvRows.quote(cell));
        }
        return text.append("\r\n");
    }

    /** Saves what is buffered and closes the metrics file; a later save opens it again, appending. */
    @Override
    public synchronized void finish(String status) {
        try {
            save();
        } finally {
            try {
                closeFile();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + metricsFile, e);
            }
        }
    }

    /** Builder for {@link CSVLogger}, with Lightning's parameter names. */
    public static final class Builder {
        private final Path saveDir;
        private String name = "lightning_logs";
        private Optional<String> version = Optional.empty();
        private boolean versionIsNumber;
        private String prefix = "";
        private int flushLogsEveryNSteps = 100;
        private boolean checkLogDirExists = true;

        private Builder(Path saveDir) {
            if (saveDir == null) {
                throw new IllegalArgumentException("CSVLogger needs a save_dir");
            }
            this.saveDir = saveDir;
        }

        /** Experiment name; "" puts versions directly under save_dir. */
        public Builder name(String name) {
            this.name = name == null ? "" : name;
            return this;
        }

        /** An explicit version number: the directory is {@code version_<n>}. */
        public Builder version(int version) {
            if (version < 0) {
                throw new IllegalArgumentException("CSVLogger version must be >= 0, got " + version);
            }
            this.version = Optional.of(Integer.toString(version));
            this.versionIsNumber = true;
            return this;
        }

        /** An explicit version directory name, used verbatim. */
        public Builder version(String version) {
            if (version == null || version.isEmpty()) {
                throw new IllegalArgumentException("CSVLogger version name must be non-empty");
            }
            this.version = Optional.of(version);
            this.versionIsNumber = false;
            return this;
        }

        /** Prepended to every metric name with a dash. */
        public Builder prefix(String prefix) {
            this.prefix = prefix == null ? "" : prefix;
            return this;
        }

        public Builder flushLogsEveryNSteps(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("flush_logs_every_n_steps must be >= 1, got " + n);
            }
            this.flushLogsEveryNSteps = n;
            return this;
        }

        /**
         * Skips the existing-directory check (warning and removal of an old metrics.csv), so a second logger on the
         * same version appends; Lightning's tests patch {@code _check_log_dir_exists} for this.
         */
        Builder appendToExistingLogDir() {
            this.checkLogDirExists = false;
            return this;
        }

        public CSVLogger build() {
            return new CSVLogger(this);
        }
    }
}
