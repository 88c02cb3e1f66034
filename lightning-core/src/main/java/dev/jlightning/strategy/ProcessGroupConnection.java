package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;

/**
 * One process's membership of a c10d process group: the {@code TCPStore} rendezvous on the main address, a Gloo
 * (CPU) or NCCL (CUDA) backend, and the {@code c10d::ProcessGroup} that DDP's reducer talks to.
 *
 * <p>Counterpart of {@code torch.distributed.init_process_group(backend, init_method="env://")}. The collectives
 * here are the few the Trainer needs (all-reduce of a small vector, broadcast of tensors and of short texts, barrier);
 * gradient synchronisation goes through {@link GradientReducer}. Every call waits with the collective timeout, so a
 * rank that vanished turns into an exception, not a hang.
 */
final class ProcessGroupConnection implements AutoCloseable {

    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final TCPStore store;
    private final Backend backend;
    private final ProcessGroup group;
    private long broadcastCounter;

    private ProcessGroupConnection(int rank, int worldSize, Duration timeout, TCPStore store, Backend backend,
            ProcessGroup group) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.store = store;
        this.backend = backend;
        this.group = group;
    }

    /**
     * Joins the group: rank 0 serves the store on {@code mainPort}, the others connect to it.
     *
     * @throws MisconfigurationException if rank 0's port is taken, naming {@code MASTER_PORT}
     */
    static ProcessGroupConnection connect(ClusterEnvironment env, boolean cuda, Duration timeout) {
        int rank = env.globalRank();
        int world = env.worldSize();
        if (rank == 0) {
            checkPortFree(env.mainAddress(), env.mainPort());
        }
        Milliseconds ms = new Milliseconds(timeout.toMillis());
        TCPStoreOptions options = new TCPStoreOptions().port((short) env.mainPort()).isServer(rank == 0)
                .numWorkers(new SizeTPointer(1).put(world)).waitWorkers(true).timeout(ms);
        TCPStore store;
        try {
            store = new TCPStore(env.mainAddress(), options);
        } catch (RuntimeException e) {
            throw new MisconfigurationException("rank " + rank + " could not reach the rendezvous store at MASTER_ADDR="
                    + env.mainAddress() + " MASTER_PORT=" + env.mainPort() + " within " + timeout.toSeconds()
                    + " s: " + firstLine(e), e);
        }
        Backend backend;
        if (cuda) {
            backend = NcclBackends.create(store, rank, world, ms);
        } else {
            ProcessGroupGloo.Options go = ProcessGroupGloo.Options.create(ms);
            go.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(
                    loopback(env.mainAddress()) ? "127.0.0.1" : hostName())));
            backend = new ProcessGroupGloo(store, rank, world, go);
        }
        // ProcessGroup(store, rank, size) trips an intrusive_ptr assertion in these presets; this constructor does not
        ProcessGroup group = new ProcessGroup(rank, world);
        ProcessGroup.BackendType type = cuda ? ProcessGroup.BackendType.NCCL : ProcessGroup.BackendType.GLOO;
        group.setBackend(cuda ? torch.DeviceType.CUDA : torch.DeviceType.CPU, type, new BackendOptional(backend));
        group.setDefaultBackend(type);
        return new ProcessGroupConnection(rank, world, timeout, store, backend, group);
    }

    private static void checkPortFree(String address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(loopback(address) ? InetAddress.getLoopbackAddress()
                    : InetAddress.getByName("0.0.0.0"), port));
        } catch (IOException e) {
            throw new MisconfigurationException("MASTER_PORT=" + port + " is already in use on this machine ("
                    + e.getMessage() + "); rank 0 serves the rendezvous there. Choose a free port, or unset"
                    + " MASTER_PORT to let JLightning pick one");
        }
    }

    private static boolean loopback(String address) {
        return address.equals("localhost") || address.startsWith("127.");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    ProcessGroup group() {
        return group;
    }

    int rank() {
        return rank;
    }

    int worldSize() {
        return worldSize;
    }

    /** Combines {@code values} from every rank in place of this rank's, elementwise. */
    double[] allReduce(double[] values, ReduceOp op) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensors.fromDoubles(values);
            AllreduceOptions o = new AllreduceOptions();
            o.reduceOp(new org.bytedeco.pytorch.ReduceOp(redOp(op)));
            o.timeout(new Milliseconds(timeout.toMillis()));
            await(backend.allreduce(new TensorVector(t), o), "all_reduce");
            double[] out = Tensors.toDoubles(t);
            if (op == ReduceOp.MEAN) {
                for (int i = 0; i < out.length; i++) {
                    out[i] /= worldSize;
                }
            }
            return out;
        }
    }

    private static org.bytedeco.pytorch.ReduceOp.RedOpType redOp(ReduceOp op) {
        switch (op) {
            case MAX:
                return org.bytedeco.pytorch.ReduceOp.RedOpType.MAX;
            case MIN:
                return org.bytedeco.pytorch.ReduceOp.RedOpType.MIN;
            default:
                return org.bytedeco.pytorch.ReduceOp.RedOpType.SUM;
        }
    }

    /** Overwrites each tensor with rank 0's, in place (parameters and buffers at setup). */
    void broadcast(TensorVector tensors) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            BroadcastOptions o = new BroadcastOptions().rootRank(0);
            o.timeout(new Milliseconds(timeout.toMillis()));
            for (long i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                // a contiguous stand-in for a strided view, copied back afterwards
                Tensor buffer = t.is_contiguous() ? t : t.contiguous();
                await(backend.broadcast(new TensorVector(buffer), o), "broadcast");
                if (buffer != t) {
                    t.copy_(buffer);
                }
            }
        }
    }

    /** Rank 0's {@code value} on every rank, through the store (small texts: directories, versions, paths). */
    String broadcast(String value) {
        String key = "jlightning/broadcast/" + (broadcastCounter++);
        if (rank == 0) {
            store.set(key, value == null ? "\u0000" : "\u0001" + value);
        }
        try (PointerScope scope = new PointerScope()) {
            ByteVector bytes = store.get(key);
            byte[] out = new byte[(int) bytes.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = bytes.get(i);
            }
            String s = new String(out, StandardCharsets.UTF_8);
            return s.startsWith("\u0001") ? s.substring(1) : null;
        }
    }

    void barrier(String name) {
        try (PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.BarrierOptions o = new org.bytedeco.pytorch.BarrierOptions();
            o.timeout(new Milliseconds(timeout.toMillis()));
            await(backend.barrier(o), "barrier(" + name + ")");
        }
    }

    private void await(Work work, String what) {
        try {
            work._wait(new Milliseconds(timeout.toMillis()));
        } catch (RuntimeException e) {
            throw new DistributedException("rank " + rank + ": " + what + " across " + worldSize + " processes failed"
                    + " (a rank stopped or the collective timeout of " + timeout.toSeconds() + " s passed): "
                    + firstLine(e), e);
        } finally {
            work.close();
        }
    }

    @Override
    public void close() {
        group.close();
        backend.close();
        store.close();
    }
}
