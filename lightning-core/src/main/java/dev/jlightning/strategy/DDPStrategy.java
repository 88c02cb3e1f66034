package dev.jlightning.strategy;

import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.DistributedSampler;
import dev.jlightning.precision.Precision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * Distributed data-parallel training: one process per device, each with a full replica of the module and its share
 * of every batch, gradients averaged across processes in backward, so all replicas take identical optimizer steps.
 *
 * <p>Counterpart of Lightning's {@code DDPStrategy} ({@code strategy="ddp"}, and
 * {@code "ddp_find_unused_parameters_true"}) over PyTorch's {@code DistributedDataParallel}: the process group is
 * c10d's (Gloo on CPU, NCCL on CUDA) with a {@code TCPStore} rendezvous, the gradients go through c10d's own DDP
 * reducer ({@link GradientReducer}), and parameters and buffers are broadcast from rank 0 when the module is set up.
 * The processes come from the {@link ClusterEnvironment}: started here by re-running the program
 * ({@link LightningEnvironment}), or by torchrun, SLURM or a Kubernetes PyTorchJob.
 */
public final class DDPStrategy implements Strategy {

    private static final Logger LOG = LogManager.getLogger(DDPStrategy.class);
    /** One process group per JVM, as {@code torch.distributed}'s default group: later Trainers reuse it. */
    private static ProcessGroupConnection connection;

    private final ClusterEnvironment environment;
    private final int devices;
    private final int numNodes;
    private final boolean cuda;
    private final boolean findUnusedParameters;
    private final Duration timeout;
    private final Map<String, String> env;
    private final Precision precision;
    private GradientReducer reducer;

    /**
     * @param environment where the ranks come from
     * @param devices processes per node
     * @param numNodes nodes
     * @param cuda whether each rank trains on its own GPU ({@code cuda:<localRank>}) with NCCL
     * @param findUnusedParameters DDP's {@code find_unused_parameters}
     * @param timeout the collective timeout (Lightning's and PyTorch's default: 30 minutes)
     * @param env the process environment, read for the launcher's variables
     */
    public DDPStrategy(ClusterEnvironment environment, int devices, int numNodes, boolean cuda,
            boolean findUnusedParameters, Duration timeout, Map<String, String> env) {
        this(environment, devices, numNodes, cuda, findUnusedParameters, timeout, env,
                Precision.of("32-true", cuda ? DeviceType.CUDA : DeviceType.CPU));
    }

    /**
     * As {@link #DDPStrategy(ClusterEnvironment, int, int, boolean, boolean, Duration, Map)}, with the precision
     * plugin every rank uses.
     */
    public DDPStrategy(ClusterEnvironment environment, int devices, int numNodes, boolean cuda,
            boolean findUnusedParameters, Duration timeout, Map<String, String> env, Precision precision) {
        environment.validateSettings(devices, numNodes);
        this.precision = precision;
        this.environment = environment;
        this.devices = devices;
        this.numNodes = numNodes;
        this.cuda = cuda;
        this.findUnusedParameters = findUnusedParameters;
        this.timeout = timeout;
        this.env = Map.copyOf(env);
        RankZero.setRank(environment.globalRank());
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public String name() {
        return findUnusedParameters ? "ddp_find_unused_parameters_true" : "ddp";
    }

    public ClusterEnvironment clusterEnvironment() {
        return environment;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public Device rootDevice() {
        return new Device(cuda ? "cuda:" + environment.localRank() : "cpu");
    }

    @Override
    public int globalRank() {
        return environment.globalRank();
    }

    @Override
    public int localRank() {
        return environment.localRank();
    }

    @Override
    public int nodeRank() {
        return environment.nodeRank();
    }

    @Override
    public int worldSize() {
        return environment.worldSize();
    }

    public int devices() {
        return devices;
    }

    public int numNodes() {
        return numNodes;
    }

    @Override
    public void setupEnvironment() {
        synchronized (DDPStrategy.class) {
            if (connection != null) {
                return;
            }
            if (environment.createsProcessesExternally()) {
                SubprocessLauncher.watchParent(env);
            } else if (devices > 1) {
                SubprocessLauncher.launch(environment, devices, timeout);
            }
            NativeThreads.setIfNeeded(env, devices);
            LOG.info("Initializing distributed: GLOBAL_RANK: {}, MEMBER: {}/{}", globalRank(), globalRank() + 1,
                    worldSize());
            if (cuda) {
                NcclBackends.setDevice(environment.localRank());
            }
            try {
                connection = ProcessGroupConnection.connect(environment, cuda, timeout);
            } catch (RuntimeException e) {
                onException(e);
                throw e;
            }
            if (isGlobalZero()) {
                LOG.info("----------------------------------------------------------------------------------------------------\n"
                        + "distributed_backend={}\nAll distributed processes registered. Starting with {} processes\n"
                        + "----------------------------------------------------------------------------------------------------",
                        cuda ? "nccl" : "gloo", worldSize());
            }
        }
    }

    private ProcessGroupConnection connection() {
        synchronized (DDPStrategy.class) {
            if (connection == null) {
                throw new IllegalStateException("the process group is not set up: setupEnvironment() runs first");
            }
            return connection;
        }
    }

    @Override
    public void setup(LightningModule module) {
        TensorVector parameters = module.parameters();
        try (PointerScope scope = new PointerScope()) {
            // DDP's _sync_module_states: every replica starts from rank 0's weights and buffers
            connection().broadcast(parameters);
            TensorVector buffers = module.buffers();
            connection().broadcast(buffers);
        }
        // a job of one process averages over one rank: the gradients are already the result, and copying 2 x the
        // model through the reducer's buckets each step is all DDP would add (PyTorch's DDP still does it, and
        // would also raise its unused-parameter error, which a one-process job here does not)
        if (parameters.size() > 0 && worldSize() > 1) {
            reducer = new GradientReducer(connection(), parameters, findUnusedParameters);
        } else {
            parameters.close();
        }
    }

    @Override
    public DataLoader processDataloader(DataLoader loader) {
        if (loader.distributedSampler().isPresent()) {
            DistributedSampler s = loader.distributedSampler().get();
            if (s.numReplicas() != worldSize() || s.rank() != globalRank()) {
                throw new MisconfigurationException("the DataLoader's " + s + " does not match this process (rank "
                        + globalRank() + " of " + worldSize() + ")");
            }
            return loader;
        }
        return loader.withDistributedSampler(DistributedSampler.of(worldSize(), globalRank()));
    }

    @Override
    public void preForward(boolean synchronize) {
        if (reducer != null && synchronize) {
            reducer.prepareForForward();
        }
    }

    @Override
    public void preBackward(Tensor loss, boolean synchronize) {
        if (reducer != null && synchronize) {
            reducer.prepareForBackward(loss);
        }
    }

    @Override
    public double reduce(double value, ReduceOp op) {
        return connection().allReduce(new double[] {value}, op)[0];
    }

    @Override
    public double[] reduce(double[] values, ReduceOp op) {
        return values.length == 0 ? values : connection().allReduce(values, op);
    }

    @Override
    public double[] broadcast(double[] values) {
        if (values.length == 0) {
            return values;
        }
        // only rank 0's entries survive a sum where every other rank contributes zeros
        double[] mine = isGlobalZero() ? values.clone() : new double[values.length];
        return connection().allReduce(mine, ReduceOp.SUM);
    }

    @Override
    public String broadcast(String value) {
        return connection().broadcast(value);
    }

    @Override
    public void barrier(String name) {
        connection().barrier(name);
    }

    @Override
    public void onException(Throwable error) {
        Optional<SubprocessLauncher> launcher = SubprocessLauncher.active();
        if (launcher.isPresent()) {
            // a collective usually fails because a child died: give its exit status a moment to arrive so the
            // error can name the rank
            launcher.get().awaitChildFailure(Duration.ofSeconds(3));
            launcher.get().abort(String.valueOf(error));
        } else {
            LOG.error("Rank {} failed: {}", globalRank(), error.toString());
        }
    }

    @Override
    public Optional<String> jobFailure() {
        return SubprocessLauncher.active().flatMap(SubprocessLauncher::failure);
    }

    @Override
    public void teardown() {
        if (reducer != null) {
            reducer.close();
            reducer = null;
        }
    }
}
