package dev.jlightning.cli;

import dev.jlightning.core.LightningDataModule;
import dev.jlightning.core.JavaCppDefaults;
import dev.jlightning.core.LightningModule;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.optim.OptimizerFactory;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.logging.log4j.LogManager;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Unmatched;

/**
 * Runs experiments from YAML: {@code jlightning fit --config config.yaml --trainer.max_epochs=20
 * --model.init_args.hidden=256}. Lightning: {@code lightning.pytorch.cli.LightningCLI}, with its subcommands
 * ({@code fit}, {@code validate}, {@code test}, {@code predict}), its config layout ({@code seed_everything},
 * {@code trainer}, {@code model}, {@code data}, {@code optimizer}, {@code lr_scheduler}, {@code ckpt_path}), its
 * {@code --config} (repeatable, later files win), dotted overrides (which win over files), {@code --print_config}
 * and its {@link SaveConfigCallback}. PaddleOCR's {@code Optimizer:} block is accepted in place of the
 * {@code optimizer}/{@code lr_scheduler} sections.
 *
 * <p>How a run goes: parse the command line (picocli); merge defaults, files and overrides; check every key and
 * value ({@link CliConfigException} names the dotted path); seed; build the data module, then the model (binding
 * {@code init_args} to a record-taking or {@code -parameters} constructor, see the README), attach the
 * optimizer sections to a model without {@code configureOptimizers()}, build the Trainer from the {@code trainer}
 * section plus the {@link SaveConfigCallback}; run the subcommand.
 *
 * <p>Differences from Lightning: dotted overrides always win over {@code --config} files, wherever they stand on
 * the command line (jsonargparse applies them in order); {@code seed_everything: true} picks a seed in
 * {@code [0, 2^31)}.
 */
public final class LightningCLI {
    static final List<String> SUBCOMMANDS = List.of("fit", "validate", "test", "predict");
    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(LightningCLI.class);

    private final Optional<Class<? extends LightningModule>> modelClass;
    private final Optional<Class<? extends LightningDataModule>> dataModuleClass;
    private final boolean saveConfig;
    private final boolean saveConfigOverwrite;
    private final PrintStream out;

    private LightningCLI(Builder b) {
        this.modelClass = b.modelClass;
        this.dataModuleClass = b.dataModuleClass;
        this.saveConfig = b.saveConfig;
        this.saveConfigOverwrite = b.saveConfigOverwrite;
        this.out = b.out;
    }

    /** A CLI with Lightning's defaults: any model and data module named in the config, config saving on. */
    public static Builder builder() {
        return new Builder();
    }

    /** The launcher's entry point: runs the arguments and exits with 0, 2 for a config mistake, 1 otherwise. */
    public static void main(String[] args) {
        // before any model or data module creates a tensor, so JavaCPP starts with JLightning's settings
        JavaCppDefaults.apply();
        System.exit(builder().build().execute(args));
    }

    /**
     * Runs the arguments, printing a config mistake as {@code error: <message>} on standard error.
     *
     * @return the exit status: 0, 2 for a {@link CliConfigException}, 1 for a failure while running
     */
    public int execute(String... args) {
        try {
            Result r = run(args);
            r.model().ifPresent(LightningModule::close);
            r.predictions().forEach(Tensor::close);
            if (r.datamodule().orElse(null) instanceof AutoCloseable) {
                ((AutoCloseable) r.datamodule().get()).close();
            }
            return 0;
        } catch (CliConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("run failed", e);
            System.err.println("error: " + e);
            return 1;
        }
    }

    /**
     * Runs the arguments and returns what was built, for tests and programs that drive the CLI. The caller owns the
     * model, the data module and any predictions.
     *
     * @throws CliConfigException for any mistake on the command line or in the config, before anything trains
     */
    public Result run(String... args) {
        Arguments a = Arguments.parse(Objects.requireNonNull(args, "args"));
        if (a.help()) {
            out.print(a.usage() + Help.sections(merged(a, true)));
            return Result.printed(a.subcommand());
        }
        Map<String, Object> config = ConfigResolver.resolve(merged(a, false));
        if (a.printConfig()) {
            out.print(ConfigMaps.toYaml(config));
            return Result.printed(a.subcommand());
        }
        return execute(a.subcommand(), config);
    }

    private Map<String, Object> merged(Arguments a, boolean lenient) {
        try {
            return ConfigResolver.merge(modelClass.map(c -> (Class<?>) c), dataModuleClass.map(c -> (Class<?>) c),
                    a.configs(), a.overrides());
        } catch (CliConfigException e) {
            if (lenient) {
                return Map.of();
            }
            throw e;
        }
    }

    private Result execute(String subcommand, Map<String, Object> config) {
        Object seed = config.get("seed_everything");
        if (Boolean.TRUE.equals(seed)) {
            seed = new SplittableRandom().nextInt(0, Integer.MAX_VALUE);
            config.put("seed_everything", seed);
        }
        if (seed instanceof Number) {
            Trainer.seedEverything(((Number) seed).longValue());
        }
        OptimizerSection optimizers = OptimizerSection.of(config);
        Map<String, Object> trainerSection = ConfigMaps.asMap(config.get("trainer"));
        LightningDataModule data = Components.instantiate("data", config.get("data"), LightningDataModule.class);
        LightningModule model = Components.instantiate("model", config.get("model"), LightningModule.class);
        attachOptimizers(subcommand, model, optimizers);
        TrainerConfig.Builder builder = TrainerOptions.apply(Trainer.builder(), trainerSection);
        Object fastDevRun = trainerSection.get("fast_dev_run");
        boolean smokeTest = Boolean.TRUE.equals(fastDevRun) || fastDevRun instanceof Number
                && ((Number) fastDevRun).intValue() > 0;
        if (saveConfig && !smokeTest) {
            builder.callbacks(new SaveConfigCallback(ConfigMaps.toYaml(config), "config.yaml", saveConfigOverwrite));
        }
        Trainer trainer = builder.build();
        Optional<String> ckpt = Optional.ofNullable((String) config.get("ckpt_path"));
        List<Map<String, Double>> metrics = List.of();
        List<Tensor> predictions = List.of();
        if (!"fit".equals(subcommand) && ckpt.isPresent()) {
            LightningModule.loadFromCheckpoint(Path.of(ckpt.get()), () -> model);
        }
        switch (subcommand) {
            case "fit":
                if (ckpt.isPresent()) {
                    trainer.fit(model, data, ckpt.get());
                } else {
                    trainer.fit(model, data);
                }
                break;
            case "validate":
                metrics = trainer.validate(model, data);
                break;
            case "test":
                metrics = trainer.test(model, data);
                break;
            default:
                data.prepareData();
                data.setup("predict");
                predictions = trainer.predict(model, data.predictDataloader());
                break;
        }
        return new Result(subcommand, config, Optional.of(trainer), Optional.of(model), Optional.of(data), metrics,
                predictions);
    }

    private static void attachOptimizers(String subcommand, LightningModule model, OptimizerSection optimizers) {
        boolean overridden;
        try {
            overridden = model.getClass().getMethod("configureOptimizers").getDeclaringClass()
                    != LightningModule.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        if (optimizers.isPresent()) {
            if (overridden) {
                throw new CliConfigException("optimizer: " + model.getClass().getName() + " implements"
                        + " configureOptimizers(), which the `optimizer`/`lr_scheduler` sections would silently"
                        + " lose to; remove the sections or the method");
            }
            model.configureOptimizersWith(optimizers.factory());
        } else if (!overridden && "fit".equals(subcommand)) {
            throw new CliConfigException("optimizer: missing; " + model.getClass().getName() + " does not implement"
                    + " configureOptimizers(), so the config must give an `optimizer` section (one of "
                    + OptimizerFactory.names() + ") or PaddleOCR's `Optimizer` block");
        }
    }

    /**
     * What one run built and produced. Lightning: the {@code LightningCLI} object's {@code config}, {@code trainer},
     * {@code model} and {@code datamodule} attributes.
     *
     * @param subcommand fit, validate, test or predict
     * @param config the resolved config (with the chosen seed), empty for --help and --print_config
     * @param trainer the Trainer, absent for --help and --print_config
     * @param model the model, absent for --help and --print_config
     * @param datamodule the data module, absent for --help and --print_config
     * @param metrics what validate or test returned, else empty
     * @param predictions what predict returned (owned by the caller), else empty
     */
    public record Result(String subcommand, Map<String, Object> config, Optional<Trainer> trainer,
            Optional<LightningModule> model, Optional<LightningDataModule> datamodule,
            List<Map<String, Double>> metrics, List<Tensor> predictions) {

        static Result printed(String subcommand) {
            return new Result(subcommand, Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    List.of());
        }
    }

    /** Builder of a {@link LightningCLI}; Lightning's constructor arguments of the same meaning. */
    public static final class Builder {
        private Optional<Class<? extends LightningModule>> modelClass = Optional.empty();
        private Optional<Class<? extends LightningDataModule>> dataModuleClass = Optional.empty();
        private boolean saveConfig = true;
        private boolean saveConfigOverwrite;
        private PrintStream out = System.out;

        private Builder() {
        }

        /** The model when the config names none (Lightning: {@code model_class}); a config may still name another. */
        public Builder modelClass(Class<? extends LightningModule> type) {
            this.modelClass = Optional.of(type);
            return this;
        }

        /** The data module when the config names none (Lightning: {@code datamodule_class}). */
        public Builder dataModuleClass(Class<? extends LightningDataModule> type) {
            this.dataModuleClass = Optional.of(type);
            return this;
        }

        /** Whether to save {@code config.yaml} in the log directory (default true; Lightning: {@code save_config_callback}). */
        public Builder saveConfig(boolean save) {
            this.saveConfig = save;
            return this;
        }

        /** Whether an existing {@code config.yaml} may be replaced (default false; Lightning: {@code save_config_kwargs}). */
        public Builder saveConfigOverwrite(boolean overwrite) {
            this.saveConfigOverwrite = overwrite;
            return this;
        }

        /** Where {@code --help} and {@code --print_config} print (default standard output). */
        public Builder out(PrintStream stream) {
            this.out = Objects.requireNonNull(stream, "out");
            return this;
        }

        /** The CLI. */
        public LightningCLI build() {
            return new LightningCLI(this);
        }
    }

    /** The command line as picocli parses it: the subcommand, its files and flags, and the dotted overrides. */
    record Arguments(String subcommand, List<Path> configs, boolean printConfig, boolean help, String usage,
            List<ConfigResolver.Override> overrides) {

        static Arguments parse(String[] args) {
            CommandLine root = new CommandLine(new Root());
            for (String name : SUBCOMMANDS) {
                root.addSubcommand(name, new CommandLine(new Subcommand()).setCommandName(name));
            }
            ParseResult result;
            try {
                result = root.parseArgs(args);
            } catch (ParameterException e) {
                throw new CliConfigException(e.getMessage(), e);
            }
            if (!result.hasSubcommand()) {
                if (result.isUsageHelpRequested()) {
                    return new Arguments("", List.of(), false, true, root.getUsageMessage(), List.of());
                }
                throw new CliConfigException("expected a subcommand: " + String.join(", ", SUBCOMMANDS)
                        + " (jlightning --help lists them)");
            }
            ParseResult sub = result.subcommand();
            Subcommand s = sub.commandSpec().commandLine().getCommand();
            String name = sub.commandSpec().name();
            if (s.help) {
                return new Arguments(name, s.configs, false, true, sub.commandSpec().commandLine().getUsageMessage(),
                        overrides(s.rest));
            }
            return new Arguments(name, s.configs, s.printConfig, false, "", overrides(s.rest));
        }

        private static List<ConfigResolver.Override> overrides(List<String> tokens) {
            List<ConfigResolver.Override> out = new ArrayList<>();
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (!t.startsWith("--") || t.length() == 2) {
                    throw new CliConfigException("unrecognized argument '" + t + "': options are --config FILE,"
                            + " --print_config and dotted keys such as --trainer.max_epochs=20");
                }
                String body = t.substring(2);
                int eq = body.indexOf('=');
                if (eq >= 0) {
                    out.add(new ConfigResolver.Override(body.substring(0, eq), body.substring(eq + 1)));
                } else if (i + 1 < tokens.size() && !tokens.get(i + 1).startsWith("--")) {
                    out.add(new ConfigResolver.Override(body, tokens.get(++i)));
                } else {
                    throw new CliConfigException(body + ": expected a value (--" + body + "=VALUE)");
                }
            }
            return out;
        }
    }

    /** The top-level command. */
    @Command(name = "jlightning", description = "Lightning's CLI for JLightning: train, validate, test or predict"
            + " from YAML configs.", footer = "%nRun 'jlightning <subcommand> --help' for the config keys.")
    static final class Root {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }

    /** One subcommand's own options; every other --key=value is a dotted config override. */
    @Command(description = "Dotted keys override the config files: --trainer.max_epochs=20,"
            + " --model.init_args.hidden=256 (or --model.hidden=256), --optimizer=AdamW, --lr_scheduler.T_max=100,"
            + " --seed_everything=42, --ckpt_path=last.ckpt.")
    static final class Subcommand {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A YAML config; repeatable, later"
                + " files override earlier ones.")
        List<Path> configs = new ArrayList<>();

        @Option(names = "--print_config", description = "Print the fully resolved config (defaults included) as"
                + " YAML and exit.")
        boolean printConfig;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help, every Trainer option with"
                + " its default and the model's and data module's arguments, and exit.")
        boolean help;

        @Unmatched
        List<String> rest = new ArrayList<>();
    }

    /** The scheduler names a config may use, for help. */
    static String schedulerNames() {
        return String.join(", ", LRSchedulers.names());
    }
}
