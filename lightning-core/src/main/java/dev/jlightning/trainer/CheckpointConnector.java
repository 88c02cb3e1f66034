package dev.jlightning.trainer;

import dev.jlightning.checkpoint.Checkpoint;
import dev.jlightning.checkpoint.CheckpointBuilder;
import dev.jlightning.checkpoint.CheckpointException;
import dev.jlightning.checkpoint.CheckpointJson;
import dev.jlightning.checkpoint.CheckpointLocator;
import dev.jlightning.checkpoint.CheckpointRestore;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DataLoader;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.pytorch.Optimizer;

/**
 * Builds checkpoints from the Trainer's state and restores them into a fit.
 *
 * <p>Counterpart of Lightning's {@code _CheckpointConnector}: {@code dump_checkpoint}, {@code _parse_ckpt_path}
 * ({@code "last"}, {@code "best"} or a path) and {@code restore} of model, optimizers, schedulers (by position in
 * config order), loops, callbacks and RNG states. Restoring checks everything the file says against the module and
 * what {@code configureOptimizers} returned before changing anything, and restores the loop's exact position, so a
 * resumed fit continues as the uninterrupted one would have, including the plateau step Lightning skips.
 */
final class CheckpointConnector {

    private static final Logger LOG = LogManager.getLogger(CheckpointConnector.class);
    static final String PRECISION_KEY = "precision";

    private final Trainer trainer;
    private final TrainerState st;

    CheckpointConnector(Trainer trainer) {
        this.trainer = trainer;
        this.st = trainer.state;
    }

    // ---------------------------------------------------------------- saving

    void save(Path path, boolean weightsOnly) {
        LightningModule module = st.module;
        if (module == null) {
            throw new MisconfigurationException("saveCheckpoint needs a model: call it during or after fit, validate"
                    + " or test");
        }
        // every replica holds the same state under DDP: rank 0 writes it, the others wait until the file is complete
        // so that none reads or lists it too early (Lightning: Strategy.save_checkpoint + barrier)
        if (trainer.isGlobalZero()) {
            trainer.config().checkpointIO().save(dump(module, weightsOnly), path);
        }
        trainer.strategy().barrier("Trainer.save_checkpoint");
    }

    Checkpoint dump(LightningModule module, boolean weightsOnly) {
        CheckpointBuilder b = CheckpointBuilder.create(st.currentEpoch, st.globalStep, weightsOnly).module(module);
        Map<String, Object> json = new LinkedHashMap<>();
        if (!weightsOnly) {
            json.put("loops", Map.of("fit_loop", loopState()));
            Map<String, Object> callbacks = new LinkedHashMap<>();
            for (Callback c : trainer.callbacks()) {
                Map<String, Object> state = c.stateDict();
                if (!state.isEmpty()) {
                    callbacks.put(c.stateKey(), state);
                }
            }
            json.put("callbacks", callbacks);
            List<Object> schedulers = new ArrayList<>();
            List<Object> configs = new ArrayList<>();
            for (LRSchedulerConfig c : trainer.lrSchedulerConfigs()) {
                schedulers.add(c.scheduler().stateDict());
                configs.add(describe(c));
            }
            json.put("lr_schedulers", schedulers);
            json.put("lr_scheduler_configs", configs);
        }
        json.put("hyper_parameters", jsonSafe(module.hparams()));
        for (Callback c : trainer.callbacks()) {
            c.onSaveCheckpoint(trainer, module, json);
        }
        module.onSaveCheckpoint(json);
        Object loops = json.remove("loops");
        if (loops != null) {
            b.put("loops", loops);
        }
        for (String key : new String[] {"callbacks"}) {
            if (json.containsKey(key)) {
                b.put(key, json.remove(key));
            }
        }
        if (!weightsOnly) {
            b.optimizers(trainer.optimizers());
            b.put("lr_schedulers", json.remove("lr_schedulers"));
            b.put("lr_scheduler_configs", json.remove("lr_scheduler_configs"));
            b.rngStates(Map.of("data_order", dataOrderState()));
            // Lightning saves the plugin's state under its class name: checkpoint["MixedPrecision"] = scaler state
            Map<String, Object> precisionState = trainer.strategy().precision().stateDict();
            if (!precisionState.isEmpty()) {
                b.put(trainer.strategy().precision().getClass().getSimpleName(), precisionState);
            }
        }
        // not in Lightning's checkpoints: lets a resume with another precision warn
        b.put(PRECISION_KEY, trainer.strategy().precision().name());
        json.forEach(b::put);
        return b.build();
    }

    private Map<String, Object> describe(LRSchedulerConfig c) {
        Map<String, Object> m = new LinkedHashMap<>(c.describe());
        m.put("optimizer", trainer.optimizers().indexOf(c.scheduler().optimizer()));
        return m;
    }

    private Map<String, Object> loopState() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", st.phase.name().toLowerCase(Locale.ROOT));
        m.put("current_epoch", st.currentEpoch);
        // in BATCH_DONE the loop has already counted the batch it is starting, which a resumed run starts again
        boolean starting = st.phase == LoopPhase.BATCH_DONE;
        m.put("batch_idx", starting ? st.batchIdx - 1 : st.batchIdx);
        m.put("reached_last_batch", st.reachedLastBatch);
        m.put("global_step", st.globalStep);
        m.put("total_batch_idx", st.fitLoop == null ? -1L : st.fitLoop.totalBatchIdx() - (starting ? 1 : 0));
        m.put("num_training_batches", st.numTrainingBatches);
        m.put("epoch_loop.state_dict", Map.of("_batches_that_stepped", st.batchesThatStepped));
        m.put("callback_metrics", numbers(st.callbackMetrics));
        m.put("metric_versions", st.metricVersions.snapshot());
        m.put("logged_metrics", numbers(st.loggedMetrics));
        m.put("progress_bar_metrics", numbers(st.progressBarMetrics));
        m.put("train_results", st.trainResults.stateDict());
        return m;
    }

    private Map<String, Object> dataOrderState() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (st.fitLoop != null) {
            m.put("train_epoch_start", st.trainDataEpochStart);
            m.put("train", st.fitLoop.data().train().stateDict());
            st.fitLoop.data().val().ifPresent(v -> m.put("val", v.stateDict()));
        }
        return m;
    }

    private static Map<String, Object> numbers(Map<String, Double> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, CheckpointJson.number(v)));
        return m;
    }

    /** Hyperparameters as JSON data; anything that is not plain data is saved as its string form. */
    private static Object jsonSafe(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number) {
            return value instanceof Double || value instanceof Float
                    ? CheckpointJson.number(((Number) value).doubleValue()) : value;
        }
        if (value instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> m.put(String.valueOf(k), jsonSafe(v)));
            return m;
        }
        if (value instanceof Iterable) {
            List<Object> l = new ArrayList<>();
            ((Iterable<?>) value).forEach(v -> l.add(jsonSafe(v)));
            return l;
        }
        return String.valueOf(value);
    }

    // ---------------------------------------------------------------- choosing the file

    /** Lightning's {@code _parse_ckpt_path}: a path, {@code "last"} or {@code "best"}; empty to start afresh. */
    Optional<Path> resolve(String ckptPath) {
        if (ckptPath == null || ckptPath.isBlank()) {
            throw new MisconfigurationException("ckptPath must be a file path, \"last\" or \"best\", got "
                    + (ckptPath == null ? "null" : "\"" + ckptPath + "\""));
        }
        Optional<CheckpointLocator> locator = trainer.checkpointCallback();
        if ("best".equals(ckptPath)) {
            CheckpointLocator l = locator.orElseThrow(() -> new MisconfigurationException(
                    "fit(ckptPath=\"best\") is set but ModelCheckpoint is not configured."));
            return Optional.of(l.bestCheckpoint().orElseThrow(() -> new MisconfigurationException(
                    "fit(ckptPath=\"best\") is set but ModelCheckpoint has not saved a best model yet in this"
                    + " process; pass the checkpoint's path instead.")));
        }
        if ("last".equals(ckptPath)) {
            Optional<Path> newest = Optional.empty();
            FileTime newestTime = null;
            for (Callback c : trainer.callbacks()) {
                if (c instanceof CheckpointLocator) {
                    for (Path p : ((CheckpointLocator) c).lastCheckpoints()) {
                        FileTime t = modified(p);
                        if (t != null && (newestTime == null || t.compareTo(newestTime) > 0)) {
                            newest = Optional.of(p);
                            newestTime = t;
                        }
                    }
                }
            }
            if (newest.isEmpty()) {
                LOG.warn("fit(ckptPath=\"last\") is set, but there is no last checkpoint available. No checkpoint"
                        + " will be loaded. HINT: Set `ModelCheckpoint(..., saveLast=true)`.");
            }
            return newest;
        }
        return Optional.of(Path.of(ckptPath));
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- restoring

    /**
     * Restores {@code path} into the fit being set up, after {@code configureOptimizers}: every check first, then
     * module, optimizers, schedulers, callbacks and loop state. LibTorch's generator and the data-order generators
     * are restored later by {@link Restored#applyRandomState()}, right before training resumes, so that the sanity
     * check does not disturb them (Lightning isolates the sanity check's RNG for the same reason).
     */
    Restored restore(Path path, LightningModule module, FitLoop loop) {
        Checkpoint ckpt = trainer.config().checkpointIO().load(path);
        String source = ckpt.source();
        List<Optimizer> optimizers = trainer.optimizers();
        CheckpointRestore.verifyModule(ckpt, module);
        CheckpointRestore.verifyOptimizers(ckpt, optimizers);
        verifySchedulers(ckpt, trainer.lrSchedulerConfigs(), optimizers);
        CheckpointRestore.verifyOptimizerExtras(ckpt, optimizers);
        ResumePoint point = ResumeStates.parse(ckpt, st.numTrainingBatches, loop.data().val().isPresent());
        PrecisionRestore precision = PrecisionRestore.check(ckpt, trainer.strategy().precision());
        List<Object> states = CheckpointJson.toList(ckpt.json().get("lr_schedulers"), source + ": lr_schedulers");
        Map<String, Object> callbackStates = ckpt.json().get("callbacks") instanceof Map
                ? CheckpointJson.toMap(ckpt.json().get("callbacks"), source + ": callbacks") : Map.of();
        CheckpointRestore staged = CheckpointRestore.stage(ckpt, module, true);
        RestoreUndo undo = new RestoreUndo();
        try {
            CheckpointRestore.verifyOptimizerArchive(ckpt, optimizers);
            // Java-side parts first, each under the undo log; native state (optimizer buffers, weights) only once
            // all of them have taken their state, so a refusal anywhere leaves everything as it was.
            List<LRSchedulerConfig> configs = trainer.lrSchedulerConfigs();
            for (int i = 0; i < configs.size(); i++) {
                LRScheduler s = configs.get(i).scheduler();
                Map<String, Object> state = new LinkedHashMap<>(CheckpointJson.toMap(states.get(i),
                        source + ": lr_schedulers[" + i + "]"));
                int index = i;
                undo.apply(s::stateDict, s::loadStateDict, () -> {
                    try {
                        s.loadStateDict(RestoreUndo.copy(state));
                    } catch (CheckpointException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        throw new CheckpointException(source + ": lr scheduler " + index + " ("
                                + s.getClass().getSimpleName() + ") cannot take the saved state: " + e.getMessage(), e);
                    }
                });
            }
            for (Callback c : trainer.callbacks()) {
                Object state = callbackStates.get(c.stateKey());
                if (state instanceof Map) {
                    Map<String, Object> saved = CheckpointJson.toMap(state, source + ": callbacks['" + c.stateKey()
                            + "']");
                    undo.apply(c::stateDict, c::loadStateDict, () -> {
                        try {
                            c.loadStateDict(RestoreUndo.copy(saved));
                        } catch (CheckpointException e) {
                            throw e;
                        } catch (RuntimeException e) {
                            throw new CheckpointException(source + ": callback " + c.stateKey() + " cannot take the"
                                    + " saved state: " + e.getMessage() + "; nothing was restored", e);
                        }
                    });
                }
            }
            undo.apply(st.trainResults::stateDict, st.trainResults::loadStateDict,
                    () -> ResumeStates.loadResults(point, st));
            for (Callback c : trainer.callbacks()) {
                c.onLoadCheckpoint(trainer, module, ckpt.json());
            }
            module.onLoadCheckpoint(ckpt.json());
            staged.applyOptimizers(optimizers);
            staged.applyModule(module);
            precision.apply();
            ResumeStates.apply(point, st, loop);
            undo.commit();
            st.ckptPath = path.toAbsolutePath().normalize();
            LOG.info("Restored all states from the checkpoint at {}", st.ckptPath);
            return new Restored(staged, point, loop);
        } catch (RuntimeException | Error e) {
            undo.rollback(e);
            staged.close();
            throw e;
        }
    }

    private static void verifySchedulers(Checkpoint ckpt, List<LRSchedulerConfig> live, List<Optimizer> optimizers) {
        String source = ckpt.source();
        List<Object> saved = CheckpointJson.toList(ckpt.json().get("lr_scheduler_configs"),
                source + ": entry 'lr_scheduler_configs'");
        List<Object> states = CheckpointJson.toList(ckpt.json().get("lr_schedulers"), source + ": entry 'lr_schedulers'");
        if (states.size() != saved.size()) {
            throw new CheckpointException(source + " is corrupted: " + states.size() + " scheduler states but "
                    + saved.size() + " scheduler configs");
        }
        if (saved.size() != live.size()) {
            throw new CheckpointException(source + " holds " + saved.size() + " lr scheduler(s), but"
                    + " configureOptimizers returned " + live.size() + "; the checkpoint was saved with a different"
                    + " configureOptimizers");
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            Map<String, Object> s = CheckpointJson.toMap(saved.get(i), source + ": lr_scheduler_configs[" + i + "]");
            Map<String, Object> l = new LinkedHashMap<>(live.get(i).describe());
            l.put("optimizer", optimizers.indexOf(live.get(i).scheduler().optimizer()));
            List<String> differences = new ArrayList<>();
            for (String key : new String[] {"scheduler", "interval", "frequency", "reduce_on_plateau", "monitor",
                    "optimizer"}) {
                Object a = s.get(key);
                Object b = l.get(key);
                boolean same = a instanceof Number && b instanceof Number
                        ? ((Number) a).longValue() == ((Number) b).longValue() : String.valueOf(a).equals(String.valueOf(b));
                if (!same) {
                    differences.add(key + " " + a + " -> " + b);
                }
            }
            if (!differences.isEmpty()) {
                problems.add("lr scheduler " + i + " (" + s.get("scheduler") + " in the checkpoint, "
                        + l.get("scheduler") + " now): " + String.join(", ", differences));
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(source + " does not match the lr schedulers configureOptimizers returned: "
                    + String.join("; ", problems));
        }
    }

    /** What is restored only right before training resumes. */
    static final class Restored implements AutoCloseable {
        private final CheckpointRestore staged;
        private final ResumePoint point;
        private final FitLoop loop;

        Restored(CheckpointRestore staged, ResumePoint point, FitLoop loop) {
            this.staged = staged;
            this.point = point;
            this.loop = loop;
        }

        void applyRandomState() {
            staged.applyRng();
            DataLoader train = loop.data().train();
            train.loadStateDict(point.trainData());
            loop.data().val().ifPresent(v -> {
                if (!point.valData().isEmpty()) {
                    v.loadStateDict(point.valData());
                }
            });
        }

        @Override
        public void close() {
            staged.close();
        }
    }
}
