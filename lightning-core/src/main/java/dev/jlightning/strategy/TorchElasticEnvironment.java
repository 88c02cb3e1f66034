package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;

/**
 * A job started by {@code torchrun} (torchelastic): every rank is a process it started, described by {@code RANK},
 * {@code LOCAL_RANK}, {@code GROUP_RANK} (the node), {@code LOCAL_WORLD_SIZE}, {@code WORLD_SIZE},
 * {@code MASTER_ADDR} and {@code MASTER_PORT}.
 *
 * <p>Counterpart of Lightning's {@code TorchElasticEnvironment}, detected when {@code RANK}, {@code GROUP_RANK},
 * {@code LOCAL_RANK} and {@code LOCAL_WORLD_SIZE} are all set. Nothing is launched; the Trainer's {@code devices}
 * must match {@code LOCAL_WORLD_SIZE} and {@code devices * numNodes} must match {@code WORLD_SIZE}.
 */
public final class TorchElasticEnvironment implements ClusterEnvironment {

    private static final String SOURCE = "torchrun (torchelastic) environment";

    private final String mainAddress;
    private final int mainPort;
    private final int worldSize;
    private final int globalRank;
    private final int localRank;
    private final int nodeRank;
    private final int localWorldSize;

    TorchElasticEnvironment(Map<String, String> env) {
        EnvVars v = new EnvVars(env, SOURCE);
        this.mainAddress = v.require("MASTER_ADDR");
        this.mainPort = EnvVars.port("MASTER_PORT", v.require("MASTER_PORT"), SOURCE);
        this.worldSize = v.requireInt("WORLD_SIZE", 1);
        this.globalRank = v.requireInt("RANK", 0);
        this.localRank = v.requireInt("LOCAL_RANK", 0);
        this.nodeRank = v.requireInt("GROUP_RANK", 0);
        this.localWorldSize = v.requireInt("LOCAL_WORLD_SIZE", 1);
        EnvVars.checkRank(SOURCE, "RANK", globalRank, "WORLD_SIZE", worldSize);
        EnvVars.checkRank(SOURCE, "LOCAL_RANK", localRank, "LOCAL_WORLD_SIZE", localWorldSize);
    }

    static boolean detect(Map<String, String> env) {
        return env.containsKey("RANK") && env.containsKey("GROUP_RANK") && env.containsKey("LOCAL_RANK")
                && env.containsKey("LOCAL_WORLD_SIZE");
    }

    @Override
    public boolean createsProcessesExternally() {
        return true;
    }

    @Override
    public String mainAddress() {
        return mainAddress;
    }

    @Override
    public int mainPort() {
        return mainPort;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public int globalRank() {
        return globalRank;
    }

    @Override
    public int localRank() {
        return localRank;
    }

    @Override
    public int nodeRank() {
        return nodeRank;
    }

    @Override
    public void validateSettings(int devices, int numNodes) {
        if (devices != localWorldSize) {
            throw new MisconfigurationException(SOURCE + ": LOCAL_WORLD_SIZE=" + localWorldSize + " processes per"
                    + " node, but the Trainer has devices=" + devices + "; run torchrun --nproc-per-node=" + devices
                    + " or set devices(" + localWorldSize + ")");
        }
        if (devices * numNodes != worldSize) {
            throw new MisconfigurationException(SOURCE + ": WORLD_SIZE=" + worldSize + " does not match devices="
                    + devices + " x numNodes=" + numNodes + " = " + devices * numNodes);
        }
    }
}
