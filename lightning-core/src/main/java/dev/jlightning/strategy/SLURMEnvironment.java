package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;
import java.util.Optional;

/**
 * A job whose ranks SLURM started with {@code srun}: {@code SLURM_NTASKS} processes, this one
 * {@code SLURM_PROCID}, {@code SLURM_LOCALID} on its node {@code SLURM_NODEID}; rank 0 runs on the first host of
 * {@code SLURM_NODELIST}.
 *
 * <p>Counterpart of Lightning's {@code SLURMEnvironment}, detected when {@code SLURM_NTASKS} is set and the job is
 * not an interactive one ({@code SLURM_JOB_NAME} "bash" or "interactive"). {@code MASTER_ADDR} and
 * {@code MASTER_PORT} win when set; otherwise the port is derived from the job id as Lightning does (its last four
 * digits plus 15000), so every rank computes the same one. The Trainer's {@code devices} must match
 * {@code SLURM_NTASKS_PER_NODE} when that is set.
 */
public final class SLURMEnvironment implements ClusterEnvironment {

    private static final String SOURCE = "SLURM environment";

    private final String mainAddress;
    private final int mainPort;
    private final int worldSize;
    private final int globalRank;
    private final int localRank;
    private final int nodeRank;
    private final Optional<Integer> tasksPerNode;

    SLURMEnvironment(Map<String, String> env) {
        EnvVars v = new EnvVars(env, SOURCE);
        this.worldSize = v.requireInt("SLURM_NTASKS", 1);
        this.globalRank = v.requireInt("SLURM_PROCID", 0);
        this.localRank = v.requireInt("SLURM_LOCALID", 0);
        this.nodeRank = v.requireInt("SLURM_NODEID", 0);
        EnvVars.checkRank(SOURCE, "SLURM_PROCID", globalRank, "SLURM_NTASKS", worldSize);
        Optional<String> addr = v.get("MASTER_ADDR");
        this.mainAddress = addr.isPresent() ? addr.get() : rootNodeAddress(v.require("SLURM_NODELIST"));
        Optional<String> port = v.get("MASTER_PORT");
        if (port.isPresent()) {
            this.mainPort = EnvVars.port("MASTER_PORT", port.get(), SOURCE);
        } else {
            String jobId = v.require("SLURM_JOB_ID");
            String digits = jobId.replaceAll("[^0-9]", "");
            if (digits.isEmpty()) {
                throw new MisconfigurationException(SOURCE + ": SLURM_JOB_ID=" + jobId + " has no digits to derive"
                        + " MASTER_PORT from; set MASTER_PORT");
            }
            this.mainPort = Integer.parseInt(digits.substring(Math.max(0, digits.length() - 4))) + 15000;
        }
        this.tasksPerNode = v.get("SLURM_NTASKS_PER_NODE").map(s -> v.requireInt("SLURM_NTASKS_PER_NODE", 1));
    }

    static boolean detect(Map<String, String> env) {
        String job = env.getOrDefault("SLURM_JOB_NAME", "");
        return env.containsKey("SLURM_NTASKS") && !job.equals("bash") && !job.equals("interactive");
    }

    /**
     * The first host of a SLURM node list: {@code "node[07-09,12],gpu3"} gives {@code "node07"}. Lightning:
     * {@code SLURMEnvironment.resolve_root_node_address}.
     */
    static String rootNodeAddress(String nodeList) {
        String first = nodeList.trim();
        int bracket = first.indexOf('[');
        int comma = first.indexOf(',');
        if (comma >= 0 && (bracket < 0 || comma < bracket)) {
            return first.substring(0, comma);
        }
        if (bracket < 0) {
            return first;
        }
        String prefix = first.substring(0, bracket);
        String range = first.substring(bracket + 1);
        int end = 0;
        while (end < range.length() && Character.isDigit(range.charAt(end))) {
            end++;
        }
        if (end == 0) {
            throw new MisconfigurationException(SOURCE + ": cannot read the first host of SLURM_NODELIST=" + nodeList);
        }
        return prefix + range.substring(0, end);
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
        if (tasksPerNode.isPresent() && tasksPerNode.get() != devices) {
            throw new MisconfigurationException("You set `devices=" + devices + "` in JLightning, but the number of"
                    + " tasks per node configured in SLURM `--ntasks-per-node=" + tasksPerNode.get() + "`"
                    + " (SLURM_NTASKS_PER_NODE) does not match. HINT: Set `devices=" + tasksPerNode.get() + "`.");
        }
        if (devices * numNodes != worldSize) {
            throw new MisconfigurationException(SOURCE + ": SLURM_NTASKS=" + worldSize + " does not match devices="
                    + devices + " x numNodes=" + numNodes + " = " + devices * numNodes);
        }
    }
}
