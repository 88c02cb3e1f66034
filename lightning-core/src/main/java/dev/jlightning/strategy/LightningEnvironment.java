package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The default environment: the Trainer starts the local ranks itself by re-running the program, and the variables
 * it passes them ({@code MASTER_ADDR}, {@code MASTER_PORT}, {@code WORLD_SIZE}, {@code NODE_RANK},
 * {@code LOCAL_RANK}) tell each child who it is.
 *
 * <p>Counterpart of Lightning's {@code LightningEnvironment}: {@code MASTER_ADDR} defaults to {@code 127.0.0.1},
 * {@code MASTER_PORT} to a free port chosen by the main process, {@code NODE_RANK} to 0. A process that finds
 * {@code LOCAL_RANK} set was started by a launcher and launches nothing itself. With {@code numNodes > 1} the same
 * program runs once per node with {@code NODE_RANK} set and {@code MASTER_ADDR} / {@code MASTER_PORT} naming node 0;
 * both must then be given.
 */
public final class LightningEnvironment implements ClusterEnvironment {

    private static final String SOURCE = "Trainer(strategy='ddp') launch";

    private final boolean external;
    private final String mainAddress;
    private final int mainPort;
    private final int worldSize;
    private final int nodeRank;
    private final int localRank;
    private final int devices;

    LightningEnvironment(Map<String, String> env, int devices, int numNodes) {
        EnvVars v = new EnvVars(env, SOURCE);
        this.devices = devices;
        this.external = v.has("LOCAL_RANK");
        if (numNodes > 1 && !v.has("MASTER_ADDR")) {
            throw new MisconfigurationException(SOURCE + ": numNodes=" + numNodes + " needs the environment variable"
                    + " MASTER_ADDR (the address of node 0) on every node; it is not set");
        }
        if (numNodes > 1 && !v.has("MASTER_PORT")) {
            throw new MisconfigurationException(SOURCE + ": numNodes=" + numNodes + " needs the environment variable"
                    + " MASTER_PORT (a free port on node 0) on every node; it is not set");
        }
        this.mainAddress = v.get("MASTER_ADDR").orElse("127.0.0.1");
        this.mainPort = v.get("MASTER_PORT").map(p -> EnvVars.port("MASTER_PORT", p, SOURCE))
                .orElseGet(LightningEnvironment::freePort);
        this.nodeRank = v.intOr("NODE_RANK", 0, 0);
        this.localRank = v.intOr("LOCAL_RANK", 0, 0);
        int expected = devices * numNodes;
        this.worldSize = v.intOr("WORLD_SIZE", expected, 1);
        if (worldSize != expected) {
            throw new MisconfigurationException(SOURCE + ": WORLD_SIZE=" + worldSize + " does not match devices="
                    + devices + " x numNodes=" + numNodes + " = " + expected + " processes; unset WORLD_SIZE or make"
                    + " them agree");
        }
        if (nodeRank >= numNodes) {
            throw new MisconfigurationException(SOURCE + ": NODE_RANK=" + nodeRank + " is outside numNodes="
                    + numNodes + " (node ranks 0.." + (numNodes - 1) + ")");
        }
        if (localRank >= devices) {
            throw new MisconfigurationException(SOURCE + ": LOCAL_RANK=" + localRank + " is outside devices="
                    + devices + " (local ranks 0.." + (devices - 1) + ")");
        }
    }

    /** A port the operating system reports free on this machine, as Lightning's {@code find_free_network_port}. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("could not find a free port for MASTER_PORT: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean createsProcessesExternally() {
        return external;
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
        return nodeRank * devices + localRank;
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
        // the constructor checked WORLD_SIZE, NODE_RANK and LOCAL_RANK against devices and numNodes
    }

    @Override
    public String toString() {
        return "LightningEnvironment(" + mainAddress + ":" + mainPort + ", world=" + worldSize + ", rank="
                + globalRank() + ")";
    }
}
