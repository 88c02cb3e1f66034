package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.precision.Precision;
import dev.jlightning.strategy.ClusterEnvironment;
import dev.jlightning.strategy.DDPStrategy;
import dev.jlightning.strategy.SingleDeviceStrategy;
import dev.jlightning.strategy.Strategy;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * Turns the Trainer's {@code strategy}, {@code devices} and {@code numNodes} into a {@link Strategy}.
 *
 * <p>Counterpart of the strategy half of Lightning's {@code _AcceleratorConnector}: "auto" is DDP when more than one
 * process is asked for ({@code devices * numNodes > 1}) and a single device otherwise; the cluster environment
 * (torchrun, SLURM, Kubeflow, or the Trainer's own launcher) is detected from the environment variables when the
 * Trainer is built, so a wrong {@code WORLD_SIZE} or a missing {@code MASTER_ADDR} fails before any data is touched.
 */
final class StrategySelector {

    static final List<String> STRATEGIES = List.of("auto", "single_device", "ddp",
            "ddp_find_unused_parameters_true", "ddp_find_unused_parameters_false");

    private StrategySelector() {
    }

    static String validateName(String strategy) {
        String s = strategy == null ? "" : strategy.toLowerCase(Locale.ROOT);
        if (s.startsWith("ddp_spawn") || s.startsWith("ddp_fork") || s.startsWith("ddp_notebook")) {
            throw new MisconfigurationException("strategy='" + strategy + "' is not supported: a JVM cannot fork or"
                    + " spawn a copy of itself with the module in memory. Use strategy='ddp', which starts the other"
                    + " ranks by running the program again");
        }
        if (!STRATEGIES.contains(s)) {
            throw new MisconfigurationException("You selected an invalid strategy name: `strategy='" + strategy
                    + "'`. Available names are: " + STRATEGIES);
        }
        return s.equals("ddp_find_unused_parameters_false") ? "ddp" : s;
    }

    static String resolveName(String strategy, int devices, int numNodes) {
        if (strategy.equals("auto")) {
            return devices * numNodes > 1 ? "ddp" : "single_device";
        }
        if (strategy.equals("single_device") && numNodes > 1) {
            throw new MisconfigurationException("numNodes=" + numNodes + " needs a distributed strategy, but"
                    + " strategy='single_device' trains in one process; use strategy(\"ddp\")");
        }
        return strategy;
    }

    static Strategy create(TrainerConfig cfg) {
        boolean cuda = cfg.deviceSpec.startsWith("cuda");
        // before anything else is set up: "16-mixed" on CPU fails here, when the Trainer is built
        Precision precision = cfg.precisionPlugin.orElseGet(
                () -> Precision.of(cfg.precision, cuda ? DeviceType.CUDA : DeviceType.CPU));
        if (cfg.strategy.equals("single_device")) {
            return new SingleDeviceStrategy(new Device(cfg.deviceSpec), precision);
        }
        ClusterEnvironment env = ClusterEnvironment.detect(cfg.environment, cfg.devices, cfg.numNodes);
        return new DDPStrategy(env, cfg.devices, cfg.numNodes, cuda,
                cfg.strategy.equals("ddp_find_unused_parameters_true"), cfg.collectiveTimeout, cfg.environment,
                precision);
    }
}
