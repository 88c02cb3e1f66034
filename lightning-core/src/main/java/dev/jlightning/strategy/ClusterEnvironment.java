package dev.jlightning.strategy;

import java.util.Map;

/**
 * Where the processes of a job come from and who each one is: the rendezvous address and port, the world size, and
 * this process's global, local and node rank.
 *
 * <p>Counterpart of Lightning's {@code lightning.fabric.plugins.environments.ClusterEnvironment}. Detected from the
 * environment variables in Lightning's order: {@link SLURMEnvironment}, {@link TorchElasticEnvironment} (torchrun),
 * {@link KubeflowEnvironment} (Kubernetes PyTorchJob), and otherwise {@link LightningEnvironment}, where the
 * Trainer launches the local processes itself.
 */
public interface ClusterEnvironment {

    /** Whether something outside JLightning (torchrun, SLURM, Kubernetes, or our own launcher) started the ranks. */
    boolean createsProcessesExternally();

    /** The host of rank 0, where the rendezvous store listens. Lightning: {@code main_address}. */
    String mainAddress();

    /** The rendezvous port on {@link #mainAddress()}. Lightning: {@code main_port}. */
    int mainPort();

    int worldSize();

    int globalRank();

    int localRank();

    int nodeRank();

    /**
     * Checks that the Trainer's {@code devices} and {@code numNodes} agree with what the environment says.
     *
     * @throws dev.jlightning.core.MisconfigurationException naming the variable that disagrees
     */
    void validateSettings(int devices, int numNodes);

    /** Lightning's detection order; {@link LightningEnvironment} when nothing else matches. */
    static ClusterEnvironment detect(Map<String, String> env, int devices, int numNodes) {
        if (SLURMEnvironment.detect(env)) {
            return new SLURMEnvironment(env);
        }
        if (TorchElasticEnvironment.detect(env)) {
            return new TorchElasticEnvironment(env);
        }
        if (KubeflowEnvironment.detect(env)) {
            return new KubeflowEnvironment(env);
        }
        return new LightningEnvironment(env, devices, numNodes);
    }
}
