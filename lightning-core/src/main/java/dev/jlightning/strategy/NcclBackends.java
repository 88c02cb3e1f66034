package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.Store;

/**
 * Creates c10d's NCCL backend for CUDA ranks. Its own class so that a CPU-only run never loads the NCCL bindings,
 * which exist only in the {@code linux-x86_64-gpu} natives.
 */
final class NcclBackends {

    private NcclBackends() {
    }

    /** Makes {@code cuda:<localRank>} this process's current device, as {@code torch.cuda.set_device}. */
    static void setDevice(int localRank) {
        try {
            org.bytedeco.pytorch.global.torch_cuda.set_device((byte) localRank);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new MisconfigurationException("accelerator='cuda' needs the CUDA natives of LibTorch to select"
                    + " cuda:" + localRank + " (" + e + ")");
        }
    }

    static Backend create(Store store, int rank, int world, Milliseconds timeout) {
        try {
            return new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, rank, world);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new MisconfigurationException("strategy='ddp' with accelerator='cuda' needs NCCL, which is not"
                    + " available: the LibTorch natives on the class path have no NCCL backend (" + e
                    + "). Use the org.bytedeco:pytorch linux-x86_64-gpu natives with a system NCCL 2, or"
                    + " accelerator='cpu' for Gloo");
        } catch (RuntimeException e) {
            throw new MisconfigurationException("rank " + rank + ": creating the NCCL process group failed: "
                    + ProcessGroupConnection.firstLine(e), e);
        }
    }
}
