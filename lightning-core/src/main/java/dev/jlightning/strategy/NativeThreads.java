package dev.jlightning.strategy;

import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/**
 * Caps the native thread pools of each of several processes on one machine, as Lightning's
 * {@code _set_num_threads_if_needed} does for its DDP launchers: unless {@code OMP_NUM_THREADS} is set, each process
 * gets {@code max(1, cores / processes per node)} intra-op threads. OpenBLAS, which computes LibTorch's float32
 * matrix products here, keeps its own pool that {@code torch.set_num_threads} does not reach (a Python process sizes
 * it from {@code OMP_NUM_THREADS}, which the JVM cannot set for itself), so it is capped to the same number.
 * Without this, N processes each run a pool as large as the machine and spin against each other. Unlike Lightning,
 * which sets the suggestion even where the program chose fewer threads, the pools are only ever made smaller: a
 * program that asked for one thread per process keeps one.
 */
final class NativeThreads {

    private static final Logger LOG = LogManager.getLogger(NativeThreads.class);

    private NativeThreads() {
    }

    /** The number of threads Lightning suggests per process; {@code processes} is at least 1. */
    static int suggested(int cores, int processes) {
        return Math.max(1, cores / Math.max(1, processes));
    }

    static void setIfNeeded(Map<String, String> env, int processesPerNode) {
        if (env.containsKey("OMP_NUM_THREADS")) {
            return;
        }
        int threads = suggested(Runtime.getRuntime().availableProcessors(), processesPerNode);
        if (torch.get_num_threads() > threads) {
            torch.set_num_threads(threads);
        }
        int blas = openblas_nolapack.blas_get_num_threads();
        // -1 until a program sets it: OpenBLAS then runs as many threads as it found cores
        if (blas <= 0 || blas > threads) {
            openblas_nolapack.blas_set_num_threads(threads);
        }
        LOG.debug("at most {} intra-op and OpenBLAS threads per process for {} processes on this node", threads,
                processesPerNode);
    }
}
