package dev.jlightning.callbacks;

import dev.jlightning.checkpoint.CheckpointFormat;
import dev.jlightning.checkpoint.CheckpointJson;
import dev.jlightning.checkpoint.CheckpointLocator;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.io.WeightsFormat;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.bytedeco.pytorch.Tensor;

/**
 * Saves checkpoints while training: periodically, the top-k by a monitored metric, and the last one.
 *
 * <p>Counterpart of {@code lightning.pytorch.callbacks.ModelCheckpoint} (Lightning 2.2), with its options in
 * camelCase ({@code dirpath}, {@code filename}, {@code monitor}, {@code mode}, {@code saveTopK}, {@code saveLast},
 * {@code everyNTrainSteps}, {@code everyNEpochs}, {@code trainTimeInterval}, {@code saveWeightsOnly},
 * {@code saveOnTrainEpochEnd}, {@code autoInsertMetricName}, {@code enableVersionCounter}, {@code verbose}), its file
 * names ({@code epoch=1-step=20.ckpt}, {@code last.ckpt}, a {@code -v1} suffix on clashes), its save points (after
 * the optimizer step in {@code on_train_batch_end}; in {@code on_train_epoch_end} when validation runs every epoch at
 * its end or not at all, otherwise in {@code on_validation_end}; always before the epoch's plateau scheduler step),
 * its top-k bookkeeping with removal of files that drop out, and its state ({@code best_model_path},
 * {@code best_model_score}, {@code best_k_models}, {@code last_model_path}, ...) saved in every checkpoint under
 * {@link #stateKey()}. Files are written through the Trainer's crash-safe {@code CheckpointIO}.
 *
 * <p>Beyond Lightning, {@link Builder#exportWeights(WeightsFormat)} also writes the module's weights next to each
 * checkpoint in a format Python opens ({@code epoch=1-step=20.safetensors}, {@code .pt}, or {@code .lightning.pt}
 * for a Lightning-shaped dict), and removes them with it.
 */
public final class ModelCheckpoint implements Callback, CheckpointLocator {

    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(ModelCheckpoint.class);
    public static final String CHECKPOINT_JOIN_CHAR = "-";
    public static final String CHECKPOINT_NAME_LAST = "last";
    public static final String FILE_EXTENSION = CheckpointFormat.FILE_EXTENSION;
    public static final int STARTING_VERSION = 1;

    private final Optional<Path> configuredDirpath;
    private final String filename;
    private final Optional<String> monitor;
    private final String mode;
    private final int saveTopK;
    private final boolean saveLast;
    private final int everyNTrainSteps;
    private final int everyNEpochs;
    private final Optional<Duration> trainTimeInterval;
    private final boolean saveWeightsOnly;
    private final Optional<WeightsFormat> exportWeights;
    private LightningModule module;
    private final Optional<Boolean> saveOnTrainEpochEnd;
    private final boolean autoInsertMetricName;
    private final boolean enableVersionCounter;
    private final boolean verbose;
    private final LongSupplier nanoClock;

    private Path dirpath;
    private String bestModelPath = "";
    private OptionalDouble bestModelScore = OptionalDouble.empty();
    private OptionalDouble currentScore = OptionalDouble.empty();
    private final Map<String, Double> bestKModels = new LinkedHashMap<>();
    private String kthBestModelPath = "";
    private OptionalDouble kthValue;
    private String lastModelPath = "";
    private long lastGlobalStepSaved = -1;
    private OptionalLongHolder lastTimeChecked = new OptionalLongHolder();
    private boolean validationHasRun;

    private ModelCheckpoint(Builder b) {
        this.configuredDirpath = b.dirpath;
        this.filename = b.filename;
        this.monitor = b.monitor;
        this.mode = b.mode;
        this.saveTopK = b.saveTopK;
        this.saveLast = b.saveLast;
        this.saveWeightsOnly = b.saveWeightsOnly;
        this.exportWeights = b.exportWeights;
        this.saveOnTrainEpochEnd = b.saveOnTrainEpochEnd;
        this.autoInsertMetricName = b.autoInsertMetricName;
        this.enableVersionCounter = b.enableVersionCounter;
        this.verbose = b.verbose;
        this.nanoClock = b.nanoClock;
        this.trainTimeInterval = b.trainTimeInterval;
        // Lightning's _init_triggers: with no trigger given, save every epoch
        if (b.everyNTrainSteps.isEmpty() && b.everyNEpochs.isEmpty() && b.trainTimeInterval.isEmpty()) {
            this.everyNEpochs = 1;
            this.everyNTrainSteps = 0;
        } else {
            this.everyNEpochs = b.everyNEpochs.orElse(0);
            this.everyNTrainSteps = b.everyNTrainSteps.orElse(0);
        }
        this.kthValue = OptionalDouble.of("min".equals(mode) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        this.dirpath = configuredDirpath.map(p -> p.toAbsolutePath().normalize()).orElse(null);
    }

    /** Lightning's defaults: every epoch, keeping the latest ({@code save_top_k=1} without a monitor). */
    public static ModelCheckpoint of() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- Lightning's public attributes

    /** The best checkpoint so far, or "" before the first. Lightning: {@code best_model_path}. */
    public String bestModelPath() {
        return bestModelPath;
    }

    /** The monitored value of {@link #bestModelPath()}; empty without a monitor. Lightning: {@code best_model_score}. */
    public OptionalDouble bestModelScore() {
        return bestModelScore;
    }

    /** The last checkpoint written by {@code saveLast}, or "". Lightning: {@code last_model_path}. */
    public String lastModelPath() {
        return lastModelPath;
    }

    /** Path to monitored value of the kept top-k checkpoints. Lightning: {@code best_k_models}. */
    public Map<String, Double> bestKModels() {
        return Collections.unmodifiableMap(bestKModels);
    }

    /** The worst of the kept top-k. Lightning: {@code kth_best_model_path}. */
    public String kthBestModelPath() {
        return kthBestModelPath;
    }

    /** Lightning: {@code current_score}. */
    public OptionalDouble currentScore() {
        return currentScore;
    }

    /** The directory checkpoints go to, resolved at setup. Lightning: {@code dirpath}. */
    public Optional<Path> dirpath() {
        return Optional.ofNullable(dirpath);
    }

    public Optional<String> monitor() {
        return monitor;
    }

    @Override
    public Optional<Path> bestCheckpoint() {
        return bestModelPath.isEmpty() ? Optional.empty() : Optional.of(Path.of(bestModelPath));
    }

    @Override
    public Set<Path> lastCheckpoints() {
        Set<Path> found = new LinkedHashSet<>();
        if (dirpath == null || !Files.isDirectory(dirpath)) {
            return found;
        }
        try (Stream<Path> files = Files.list(dirpath)) {
            // Lightning's _find_last_checkpoints: a .ckpt whose stem matches ^last(-(\d+))?, i.e. starts with "last"
            files.filter(p -> p.getFileName().toString().startsWith(CHECKPOINT_NAME_LAST)
                    && p.getFileName().toString().endsWith(FILE_EXTENSION)).forEach(found::add);
        } catch (IOException e) {
            LOG.warn("Could not list {}: {}", dirpath, e.getMessage());
        }
        return found;
    }

    /**
     * Lightning's state key: the class name and the options that tell two instances apart,
     * {@code ModelCheckpoint{'monitor': 'val_loss', 'mode': 'min', 'every_n_train_steps': 0, 'every_n_epochs': 1,
     * 'train_time_interval': None}}.
     */
    @Override
    public String stateKey() {
        return "ModelCheckpoint{'monitor': " + monitor.map(m -> "'" + m + "'").orElse("None") + ", 'mode': '" + mode
                + "', 'every_n_train_steps': " + everyNTrainSteps + ", 'every_n_epochs': " + everyNEpochs
                + ", 'train_time_interval': " + trainTimeInterval.map(ModelCheckpoint::timedelta).orElse("None") + "}";
    }

    private static String timedelta(Duration d) {
        long days = d.toDays();
        long seconds = d.minusDays(days).getSeconds();
        long micros = d.getNano() / 1000;
        StringBuilder sb = new StringBuilder("datetime.timedelta(");
        String sep = "";
        if (days != 0) {
            sb.append("days=").append(days);
            sep = ", ";
        }
        if (seconds != 0) {
            sb.append(sep).append("seconds=").append(seconds);
            sep = ", ";
        }
        if (micros != 0) {
            sb.append(sep).append("microseconds=").append(micros);
        }
        return sb.append(")").toString();
    }

    @Override
    public boolean isMonitoring() {
        return true;
    }

    // ---------------------------------------------------------------- hooks

    @Override
    public void setup(Trainer trainer, LightningModule module, String stage) {
        this.module = module;
        if (configuredDirpath.isEmpty()) {
            // Lightning: <logger.save_dir>/<name>/<version>/checkpoints, or <default_root_dir>/checkpoints
            dirpath = trainer.logDir().resolve("checkpoints").toAbsolutePath().normalize();
        }
        if ("fit".equals(stage) && saveTopK != 0 && Files.isDirectory(dirpath)) {
            try (Stream<Path> entries = Files.list(dirpath)) {
                if (entries.findAny().isPresent()) {
                    LOG.warn("Checkpoint directory {} exists and is not empty.", dirpath);
                }
            } catch (IOException e) {
                LOG.warn("Could not list {}: {}", dirpath, e.getMessage());
            }
        }
    }

    @Override
    public void onTrainStart(Trainer trainer, LightningModule module) {
        lastTimeChecked.set(nanoClock.getAsLong());
        validationHasRun = false;
    }

    @Override
    public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
            int batchIdx) {
        if (shouldSkipSaving(trainer)) {
            return;
        }
        boolean skipBatch = everyNTrainSteps < 1 || trainer.globalStep() % everyNTrainSteps != 0;
        boolean skipTime = true;
        long now = nanoClock.getAsLong();
        if (trainTimeInterval.isPresent()) {
            skipTime = !lastTimeChecked.present || now - lastTimeChecked.value < trainTimeInterval.get().toNanos();
        }
        if (skipBatch && skipTime) {
            return;
        }
        if (!skipTime) {
            lastTimeChecked.set(now);
        }
        Map<String, Number> candidates = monitorCandidates(trainer);
        saveTopK(trainer, candidates);
        saveLast(trainer, candidates);
    }

    @Override
    public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
        if (!shouldSkipSaving(trainer) && shouldSaveOnTrainEpochEnd(trainer)) {
            epochSave(trainer);
        }
    }

    @Override
    public void onValidationEnd(Trainer trainer, LightningModule module) {
        if (!trainer.sanityChecking()) {
            validationHasRun = true;
        }
        if (!shouldSkipSaving(trainer) && !shouldSaveOnTrainEpochEnd(trainer)) {
            epochSave(trainer);
        }
    }

    private void epochSave(Trainer trainer) {
        Map<String, Number> candidates = monitorCandidates(trainer);
        if (everyNEpochs >= 1 && (trainer.currentEpoch() + 1) % everyNEpochs == 0) {
            saveTopK(trainer, candidates);
        }
        saveLast(trainer, candidates);
    }

    private boolean shouldSkipSaving(Trainer trainer) {
        return trainer.config().fastDevRun() > 0 || !"fit".equals(trainer.stage()) || trainer.sanityChecking()
                || lastGlobalStepSaved == trainer.globalStep();
    }

    /** Lightning's {@code _should_save_on_train_epoch_end}. */
    private boolean shouldSaveOnTrainEpochEnd(Trainer trainer) {
        if (saveOnTrainEpochEnd.isPresent()) {
            return saveOnTrainEpochEnd.get();
        }
        OptionalInt every = trainer.config().checkValEveryNEpoch();
        if (every.isEmpty() || every.getAsInt() != 1) {
            return false;
        }
        if (trainer.numValBatches() == 0) {
            return true;
        }
        return trainer.config().valCheckFraction().isPresent() && trainer.config().valCheckFraction().getAsDouble() == 1.0;
    }

    private Map<String, Number> monitorCandidates(Trainer trainer) {
        Map<String, Number> candidates = new LinkedHashMap<>(trainer.callbackMetrics());
        Number epoch = candidates.get("epoch");
        candidates.put("epoch", epoch != null ? (Number) (long) epoch.doubleValue() : (Number) (long) trainer.currentEpoch());
        Number step = candidates.get("step");
        candidates.put("step", step != null ? (Number) (long) step.doubleValue() : (Number) trainer.globalStep());
        return candidates;
    }

    // ---------------------------------------------------------------- saving

    private void saveTopK(Trainer trainer, Map<String, Number> candidates) {
        if (saveTopK == 0) {
            return;
        }
        if (monitor.isPresent()) {
            if (!candidates.containsKey(monitor.get())) {
                String m = "`ModelCheckpoint(monitor='" + monitor.get() + "')` could not find the monitored key in the"
                        + " returned metrics: " + candidates.keySet() + ". HINT: Did you call `log('" + monitor.get()
                        + "', value)` in the `LightningModule`?";
                if (validationHasRun) {
                    throw new MisconfigurationException(m);
                }
                LOG.warn(m);
                return;
            }
            double current = candidates.get(monitor.get()).doubleValue();
            if (checkMonitorTopK(current)) {
                updateBestAndSave(current, trainer, candidates);
            } else if (verbose) {
                LOG.info("Epoch {}, global step {}: '{}' was not in top {}", trainer.currentEpoch(),
                        trainer.globalStep(), monitor.get(), saveTopK);
            }
        } else {
            String filepath = interpolatedPath(candidates, bestModelPath);
            String previous = bestModelPath;
            bestModelPath = filepath;
            save(trainer, filepath);
            if (saveTopK == 1 && !previous.isEmpty() && shouldRemove(trainer, previous, filepath)) {
                remove(trainer, previous);
            }
        }
    }

    private boolean checkMonitorTopK(double current) {
        if (saveTopK == -1 || bestKModels.size() < saveTopK) {
            return true;
        }
        double kth = bestKModels.get(kthBestModelPath);
        return "min".equals(mode) ? current < kth : current > kth;
    }

    private void updateBestAndSave(double currentValue, Trainer trainer, Map<String, Number> candidates) {
        int k = saveTopK == -1 ? bestKModels.size() + 1 : saveTopK;
        String delFilepath = null;
        if (bestKModels.size() == k && k > 0) {
            delFilepath = kthBestModelPath;
            bestKModels.remove(delFilepath);
        }
        // Lightning never keeps NaN as a score: it becomes the worst value
        double current = Double.isNaN(currentValue)
                ? ("min".equals(mode) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : currentValue;
        String filepath = interpolatedPath(candidates, delFilepath);
        currentScore = OptionalDouble.of(current);
        bestKModels.put(filepath, current);
        if (bestKModels.size() == k) {
            kthBestModelPath = extreme("min".equals(mode));
            kthValue = OptionalDouble.of(bestKModels.get(kthBestModelPath));
        }
        bestModelPath = extreme(!"min".equals(mode));
        bestModelScore = OptionalDouble.of(bestKModels.get(bestModelPath));
        if (verbose) {
            LOG.info("Epoch {}, global step {}: '{}' reached {} (best {}), saving model to '{}' as top {}",
                    trainer.currentEpoch(), trainer.globalStep(), monitor.orElse(""),
                    PythonFormatSpec.format(current, ".5f"),
                    PythonFormatSpec.format(bestModelScore.getAsDouble(), ".5f"), filepath, k);
        }
        save(trainer, filepath);
        if (delFilepath != null && shouldRemove(trainer, delFilepath, filepath)) {
            remove(trainer, delFilepath);
        }
    }

    /** Python's {@code max}/{@code min} over the dict by value: the first of equal values wins. */
    private String extreme(boolean largest) {
        String best = null;
        double value = 0;
        for (Map.Entry<String, Double> e : bestKModels.entrySet()) {
            if (best == null || (largest ? e.getValue() > value : e.getValue() < value)) {
                best = e.getKey();
                value = e.getValue();
            }
        }
        return best;
    }

    private void saveLast(Trainer trainer, Map<String, Number> candidates) {
        if (!saveLast) {
            return;
        }
        String filepath = formatCheckpointName(candidates, CHECKPOINT_NAME_LAST, OptionalInt.empty());
        if (enableVersionCounter) {
            int version = STARTING_VERSION;
            while (Files.exists(Path.of(filepath)) && !filepath.equals(lastModelPath)) {
                filepath = formatCheckpointName(candidates, CHECKPOINT_NAME_LAST, OptionalInt.of(version++));
            }
        }
        String previous = lastModelPath;
        lastModelPath = filepath;
        save(trainer, filepath);
        if (!previous.isEmpty() && shouldRemove(trainer, previous, filepath)) {
            remove(trainer, previous);
        }
    }

    private String interpolatedPath(Map<String, Number> candidates, String delFilepath) {
        String filepath = formatCheckpointName(candidates, filename, OptionalInt.empty());
        if (enableVersionCounter) {
            int version = STARTING_VERSION;
            while (Files.exists(Path.of(filepath)) && !filepath.equals(delFilepath)) {
                filepath = formatCheckpointName(candidates, filename, OptionalInt.of(version++));
            }
        }
        return filepath;
    }

    /**
     * The file a checkpoint with these metrics gets. Lightning: {@code format_checkpoint_name(metrics, filename,
     * ver)}, e.g. {@code <dirpath>/epoch=1-step=20-v1.ckpt}.
     */
    public String formatCheckpointName(Map<String, ? extends Number> metrics, String template, OptionalInt version) {
        String name = CheckpointFilename.format(template, CheckpointFilename.copy(metrics), autoInsertMetricName);
        if (version.isPresent()) {
            name = name + CHECKPOINT_JOIN_CHAR + "v" + version.getAsInt();
        }
        name = name + FILE_EXTENSION;
        return dirpath == null ? name : dirpath.resolve(name).toString();
    }

    private void save(Trainer trainer, String filepath) {
        trainer.saveCheckpoint(Path.of(filepath), saveWeightsOnly);
        lastGlobalStepSaved = trainer.globalStep();
        if (exportWeights.isPresent() && module != null) {
            module.saveWeights(exportedPath(filepath, exportWeights.get()), exportWeights.get());
        }
    }

    /**
     * Where the weights exported with a checkpoint go: the checkpoint's name with the format's extension; a
     * Lightning-shaped dict gets {@code .lightning.pt} so that it is never taken for one of this callback's
     * {@code .ckpt} files.
     */
    static Path exportedPath(String checkpoint, WeightsFormat format) {
        String stem = checkpoint.endsWith(FILE_EXTENSION)
                ? checkpoint.substring(0, checkpoint.length() - FILE_EXTENSION.length()) : checkpoint;
        return Path.of(stem + (format == WeightsFormat.LIGHTNING_CHECKPOINT ? ".lightning.pt" : format.extension()));
    }

    /** Lightning's {@code _should_remove_checkpoint}: never the file just written or resumed from, only in dirpath. */
    private boolean shouldRemove(Trainer trainer, String previous, String current) {
        if (previous.equals(current)) {
            return false;
        }
        Path prev = Path.of(previous).toAbsolutePath().normalize();
        if (trainer.ckptPath().map(p -> p.toAbsolutePath().normalize().equals(prev)).orElse(false)) {
            return false;
        }
        return dirpath != null && prev.startsWith(dirpath) && !prev.equals(dirpath);
    }

    private void remove(Trainer trainer, String filepath) {
        // under DDP only rank 0 wrote the file, so only rank 0 removes it
        if (!trainer.isGlobalZero()) {
            return;
        }
        trainer.config().checkpointIO().remove(Path.of(filepath));
        if (exportWeights.isPresent()) {
            try {
                Files.deleteIfExists(exportedPath(filepath, exportWeights.get()));
            } catch (IOException e) {
                LOG.warn("Could not remove {}: {}", exportedPath(filepath, exportWeights.get()), e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- state

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("monitor", monitor.orElse(null));
        s.put("best_model_score", score(bestModelScore));
        s.put("best_model_path", bestModelPath);
        s.put("current_score", score(currentScore));
        s.put("dirpath", dirpath == null ? null : dirpath.toString());
        Map<String, Object> k = new LinkedHashMap<>();
        bestKModels.forEach((p, v) -> k.put(p, CheckpointJson.number(v)));
        s.put("best_k_models", k);
        s.put("kth_best_model_path", kthBestModelPath);
        s.put("kth_value", score(kthValue));
        s.put("last_model_path", lastModelPath);
        return s;
    }

    private static Object score(OptionalDouble v) {
        return v.isPresent() ? CheckpointJson.number(v.getAsDouble()) : null;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        Object savedDir = state.get("dirpath");
        String mine = dirpath == null ? null : dirpath.toString();
        if (Objects.equals(mine, savedDir)) {
            bestModelScore = optionalScore(state.get("best_model_score"));
            Object kth = state.get("kth_best_model_path");
            if (kth instanceof String) {
                kthBestModelPath = (String) kth;
            }
            if (state.containsKey("kth_value")) {
                kthValue = optionalScore(state.get("kth_value"));
            }
            Object k = state.get("best_k_models");
            if (k instanceof Map) {
                bestKModels.clear();
                ((Map<?, ?>) k).forEach((p, v) -> bestKModels.put(String.valueOf(p),
                        CheckpointJson.toDouble(v, "best_k_models['" + p + "']")));
            }
            Object last = state.get("last_model_path");
            if (last instanceof String) {
                lastModelPath = (String) last;
            }
        } else {
            LOG.warn("The dirpath has changed from {} to {}, therefore `best_model_score`, `kth_best_model_path`,"
                    + " `kth_value`, `last_model_path` and `best_k_models` won't be reloaded. Only `best_model_path`"
                    + " will be reloaded.", savedDir, mine);
        }
        Object best = state.get("best_model_path");
        if (best instanceof String) {
            bestModelPath = (String) best;
        }
    }

    private static OptionalDouble optionalScore(Object v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(CheckpointJson.toDouble(v, "score"));
    }

    private static final class OptionalLongHolder {
        boolean present;
        long value;

        void set(long v) {
            present = true;
            value = v;
        }
    }

    /** Builder for {@link ModelCheckpoint}; every option checked as Lightning's {@code __init__} checks it. */
    public static final class Builder {
        private Optional<Path> dirpath = Optional.empty();
        private String filename = "";
        private Optional<String> monitor = Optional.empty();
        private String mode = "min";
        private int saveTopK = 1;
        private boolean saveLast;
        private Optional<Integer> everyNTrainSteps = Optional.empty();
        private Optional<Integer> everyNEpochs = Optional.empty();
        private Optional<Duration> trainTimeInterval = Optional.empty();
        private boolean saveWeightsOnly;
        private Optional<WeightsFormat> exportWeights = Optional.empty();
        private Optional<Boolean> saveOnTrainEpochEnd = Optional.empty();
        private boolean autoInsertMetricName = true;
        private boolean enableVersionCounter = true;
        private boolean verbose;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        /** Where checkpoints go; default {@code <log_dir>/checkpoints} (or {@code <default_root_dir>/checkpoints}). */
        public Builder dirpath(Path dirpath) {
            this.dirpath = Optional.of(Objects.requireNonNull(dirpath, "dirpath"));
            return this;
        }

        /** The file name template, e.g. {@code "{epoch}-{val_loss:.2f}"}; default {@code "{epoch}-{step}"}. */
        public Builder filename(String filename) {
            this.filename = Objects.requireNonNull(filename, "filename");
            return this;
        }

        /** The metric that ranks checkpoints for {@code saveTopK}. */
        public Builder monitor(String monitor) {
            if (monitor == null || monitor.isEmpty()) {
                throw new MisconfigurationException("ModelCheckpoint monitor must be a metric name, got '" + monitor
                        + "'");
            }
            this.monitor = Optional.of(monitor);
            return this;
        }

        /** "min" (lower is better, default) or "max". */
        public Builder mode(String mode) {
            if (!"min".equals(mode) && !"max".equals(mode)) {
                throw new MisconfigurationException("`mode` can be min or max, got " + mode);
            }
            this.mode = mode;
            return this;
        }

        /** How many best checkpoints to keep: 0 none, -1 all, k the k best (default 1). */
        public Builder saveTopK(int k) {
            if (k < -1) {
                throw new MisconfigurationException("Invalid value for save_top_k=" + k + ". Must be >= -1");
            }
            this.saveTopK = k;
            return this;
        }

        /** Also keep {@code last.ckpt}, overwritten at every save point. */
        public Builder saveLast(boolean saveLast) {
            this.saveLast = saveLast;
            return this;
        }

        /** Save every n optimizer steps (0 disables). */
        public Builder everyNTrainSteps(int n) {
            if (n < 0) {
                throw new MisconfigurationException("Invalid value for every_n_train_steps=" + n + ". Must be >= 0");
            }
            this.everyNTrainSteps = Optional.of(n);
            return this;
        }

        /** Save every n epochs (0 disables). */
        public Builder everyNEpochs(int n) {
            if (n < 0) {
                throw new MisconfigurationException("Invalid value for every_n_epochs=" + n + ". Must be >= 0");
            }
            this.everyNEpochs = Optional.of(n);
            return this;
        }

        /** Save when at least this much time passed since the last time-triggered save, checked after each step. */
        public Builder trainTimeInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new MisconfigurationException("train_time_interval must be a positive duration, got "
                        + interval);
            }
            this.trainTimeInterval = Optional.of(interval);
            return this;
        }

        /** Save only the module's weights (no optimizer, scheduler or loop state). */
        public Builder saveWeightsOnly(boolean weightsOnly) {
            this.saveWeightsOnly = weightsOnly;
            return this;
        }

        /**
         * Also write the module's weights next to every checkpoint, in a format PyTorch or Hugging Face tools open
         * (safetensors, a {@code torch.save} state dict, or a Lightning-shaped dict); they are removed with it.
         */
        public Builder exportWeights(WeightsFormat format) {
            this.exportWeights = Optional.of(Objects.requireNonNull(format, "format"));
            return this;
        }

        /** Force saving at the end of the training epoch (true) or after validation (false). */
        public Builder saveOnTrainEpochEnd(boolean onTrainEpochEnd) {
            this.saveOnTrainEpochEnd = Optional.of(onTrainEpochEnd);
            return this;
        }

        /** Whether {@code {val_loss}} becomes {@code val_loss=0.12} (true, default) or {@code 0.12}. */
        public Builder autoInsertMetricName(boolean enabled) {
            this.autoInsertMetricName = enabled;
            return this;
        }

        /** Whether a name clash gets a {@code -v1}, {@code -v2} suffix (default) rather than overwriting. */
        public Builder enableVersionCounter(boolean enabled) {
            this.enableVersionCounter = enabled;
            return this;
        }

        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /** The clock {@code trainTimeInterval} reads, in nanoseconds; for tests. Default {@code System::nanoTime}. */
        public Builder clock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        public ModelCheckpoint build() {
            int triggers = (everyNTrainSteps.orElse(0) > 0 ? 1 : 0) + (everyNEpochs.orElse(0) > 0 ? 1 : 0)
                    + (trainTimeInterval.isPresent() ? 1 : 0);
            if (triggers > 1) {
                throw new MisconfigurationException("Combination of parameters every_n_train_steps="
                        + everyNTrainSteps.orElse(null) + ", every_n_epochs=" + everyNEpochs.orElse(null)
                        + " and train_time_interval=" + trainTimeInterval.orElse(null)
                        + " should be mutually exclusive.");
            }
            if (monitor.isEmpty() && saveTopK != -1 && saveTopK != 0 && saveTopK != 1) {
                throw new MisconfigurationException("ModelCheckpoint(save_top_k=" + saveTopK + ", monitor=None) is"
                        + " not a valid configuration. No quantity for top_k to track.");
            }
            CheckpointFilename.format(filename, Map.of(), autoInsertMetricName);
            return new ModelCheckpoint(this);
        }
    }

    @Override
    public String toString() {
        return stateKey();
    }
}
