package dev.jlightning.tuner;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DataLoader;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.pytorch.Optimizer;

/**
 * Tunes training settings with a Trainer's configuration; today the learning-rate range test.
 *
 * <p>Counterpart of {@code lightning.pytorch.tuner.Tuner}. {@link #lrFind} is Lightning's {@code lr_find}: it saves
 * the module's state, trains it for up to {@code numTraining} steps with the learning rate rising from
 * {@code minLr} to {@code maxLr} (exponentially or linearly), recording the smoothed loss of each step and stopping
 * once it exceeds {@code earlyStopThreshold} times the best, then puts the module's (and the Trainer's running
 * optimizers') state back exactly and returns the curve and its {@link LRFinderResult#suggestion() suggestion}. With
 * {@code updateAttr} (the default) the suggestion is stored in the module's hparams under {@code lr} or
 * {@code learning_rate} (or {@code attrName}), where {@code configureOptimizers} reads it; Java modules have no
 * dynamic attributes, so hparams stand for Lightning's {@code model.lr}.
 *
 * <p>The search uses the Trainer's accelerator, {@code maxEpochs}, gradient accumulation and clipping, the module's
 * single optimizer, no loggers, no validation, no progress bar and no other callbacks. Unlike Lightning it runs
 * without validation (which changes no weight) and starts its step count at 0.
 */
public final class Tuner {

    private static final Logger LOG = LogManager.getLogger(Tuner.class);

    private final Trainer trainer;

    public Tuner(Trainer trainer) {
        this.trainer = Objects.requireNonNull(trainer, "trainer");
    }

    /** {@link #lrFind(LightningModule, DataLoader, LRFindOptions)} with Lightning's defaults. */
    public Optional<LRFinderResult> lrFind(LightningModule module, DataLoader train) {
        return lrFind(module, train, LRFindOptions.DEFAULTS);
    }

    /**
     * Runs the learning-rate range test on {@code train}.
     *
     * @return the result; empty when the Trainer has {@code fastDevRun} (Lightning skips the search then)
     * @throws MisconfigurationException if the module does not give exactly one optimizer, uses manual
     *     optimization, or {@code updateAttr} is on and its hparams have no learning rate
     */
    public Optional<LRFinderResult> lrFind(LightningModule module, DataLoader train, LRFindOptions options) {
        Objects.requireNonNull(train, "train");
        return run(module, options, (inner, sweep) -> inner.fit(sweep, train));
    }

    /** Runs the learning-rate range test on the training loader of {@code data}. */
    public Optional<LRFinderResult> lrFind(LightningModule module, LightningDataModule data, LRFindOptions options) {
        Objects.requireNonNull(data, "data");
        return run(module, options, (inner, sweep) -> inner.fit(sweep, data));
    }

    private Optional<LRFinderResult> run(LightningModule module, LRFindOptions options,
            BiConsumer<Trainer, SweepModule> fit) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(options, "options");
        TrainerConfig config = trainer.config();
        if (config.fastDevRun() > 0) {
            LOG.warn("Skipping learning rate finder since `fast_dev_run` is enabled.");
            return Optional.empty();
        }
        if (!module.isAutomaticOptimization()) {
            throw new MisconfigurationException("The learning rate finder trains with automatic optimization;"
                    + " " + module.getClass().getSimpleName() + " uses manual optimization");
        }
        Optional<String> attr = options.updateAttr() ? Optional.of(lrAttrName(module, options.attrName()))
                : Optional.empty();
        List<Optimizer> running = trainer.optimizers();
        StateSnapshot snapshot = StateSnapshot.take(module, running);
        SweepCallback recorder = new SweepCallback(options.earlyStopThreshold(), config.accumulateGradBatches());
        Trainer inner = innerTrainer(config, options, recorder);
        SweepModule sweep = new SweepModule(module, options, recorder);
        LRFinderResult result;
        try {
            module.attachTrainer(inner);
            fit.accept(inner, sweep);
            if (inner.globalStep() != options.numTraining()) {
                LOG.info("LR finder stopped early after {} steps due to diverging loss.", inner.globalStep());
            }
            result = new LRFinderResult(options.mode(), options.minLr(), options.maxLr(), options.numTraining(),
                    recorder.lrs(), recorder.losses());
        } finally {
            snapshot.restore();
            module.attachTrainer(trainer);
            // releases the wrapper's hold on the user's module; the module itself lives on
            sweep.close();
        }
        if (attr.isPresent()) {
            OptionalDouble lr = result.suggestion();
            if (lr.isPresent()) {
                module.saveHyperparameters(Map.of(attr.get(), lr.getAsDouble()));
                for (Optimizer o : running) {
                    ParamGroups groups = ParamGroups.of(o);
                    for (int g = 0; g < groups.size(); g++) {
                        groups.setLr(g, lr.getAsDouble());
                    }
                }
                LOG.info("Learning rate set to {}", lr.getAsDouble());
            }
        }
        return Optional.of(result);
    }

    private static Trainer innerTrainer(TrainerConfig config, LRFindOptions options, SweepCallback recorder) {
        TrainerConfig.Builder b = Trainer.builder()
                .accelerator(config.accelerator())
                .maxSteps(options.numTraining())
                .maxEpochs(config.maxEpochs())
                .accumulateGradBatches(config.accumulateGradBatches())
                .gradientClipAlgorithm(config.gradientClipAlgorithm())
                .numSanityValSteps(0)
                .limitValBatches(0)
                .logger(false)
                .enableProgressBar(false)
                .enableModelSummary(false)
                .enableCheckpointing(false)
                .defaultRootDir(config.defaultRootDir())
                .callbacks(recorder);
        config.gradientClipVal().ifPresent(b::gradientClipVal);
        // the sweep runs in the fit's precision, as Lightning's lr_find runs on the same Trainer
        b.precision(config.precision());
        config.precisionPlugin().ifPresent(b::precision);
        return b.build();
    }

    /** Lightning's {@code _determine_lr_attr_name}, over the module's hparams. */
    static String lrAttrName(LightningModule module, Optional<String> attrName) {
        Map<String, Object> hparams = module.hparams();
        if (attrName.isPresent()) {
            if (!hparams.containsKey(attrName.get())) {
                throw new MisconfigurationException("The attribute name for the learning rate was set to "
                        + attrName.get() + ", but could not find this as a key in the module's hparams"
                        + " (saveHyperparameters).");
            }
            return attrName.get();
        }
        for (String name : List.of("lr", "learning_rate")) {
            if (hparams.containsKey(name)) {
                return name;
            }
        }
        throw new MisconfigurationException("When using the learning rate finder, the module's hparams"
                + " (saveHyperparameters) should have one of these keys: ('lr', 'learning_rate'). If your module has a"
                + " different name for the learning rate, set it with `attrName(...)`, or turn `updateAttr` off.");
    }
}
