package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;

/**
 * A Kubeflow {@code PyTorchJob} on Kubernetes: one process per pod, described by {@code MASTER_ADDR},
 * {@code MASTER_PORT}, {@code WORLD_SIZE} and {@code RANK}.
 *
 * <p>Counterpart of Lightning's {@code KubeflowEnvironment}, detected when {@code KUBERNETES_PORT} and those four
 * variables are set. Each pod is a node with one rank, so the local rank is 0 and the node rank is {@code RANK};
 * the Trainer must use {@code devices(1)} and {@code numNodes(WORLD_SIZE)}.
 */
public final class KubeflowEnvironment implements ClusterEnvironment {

    private static final String SOURCE = "Kubeflow PyTorchJob environment";

    private final String mainAddress;
    private final int mainPort;
    private final int worldSize;
    private final int globalRank;

    KubeflowEnvironment(Map<String, String> env) {
        EnvVars v = new EnvVars(env, SOURCE);
        this.mainAddress = v.require("MASTER_ADDR");
        this.mainPort = EnvVars.port("MASTER_PORT", v.require("MASTER_PORT"), SOURCE);
        this.worldSize = v.requireInt("WORLD_SIZE", 1);
        this.globalRank = v.requireInt("RANK", 0);
        EnvVars.checkRank(SOURCE, "RANK", globalRank, "WORLD_SIZE", worldSize);
    }

    static boolean detect(Map<String, String> env) {
        return env.containsKey("KUBERNETES_PORT") && env.containsKey("MASTER_ADDR") && env.containsKey("MASTER_PORT")
                && env.containsKey("WORLD_SIZE") && env.containsKey("RANK");
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
        return 0;
    }

    @Override
    public int nodeRank() {
        return globalRank;
    }

    @Override
    public void validateSettings(int devices, int numNodes) {
        if (devices * numNodes != worldSize) {
            throw new MisconfigurationException(SOURCE + ": WORLD_SIZE=" + worldSize + " pods, but the Trainer asks"
                    + " for devices=" + devices + " x numNodes=" + numNodes + " = " + devices * numNodes + " processes;"
                    + " a PyTorchJob runs one process per pod: use devices(1) and numNodes(" + worldSize + ")");
        }
    }
}
