package dev.jlightning.strategy;

import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.T_SizeTVectorVectorSizeTVector_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Averages gradients across ranks during {@code backward()}, with c10d's own DDP reducer.
 *
 * <p>This is {@code torch.nn.parallel.DistributedDataParallel}'s engine, driven the way DDP drives it: parameters are
 * assigned to buckets by size (a first bucket of 1 MB, then 25 MB, in reverse registration order because gradients
 * arrive roughly in reverse), the reducer hooks each parameter's gradient accumulator, and as soon as a bucket's
 * gradients are ready during backward it is all-reduced asynchronously, overlapping communication with the rest of
 * backward. When {@code backward()} returns, every gradient is the mean over ranks. A backward without
 * {@link #prepareForBackward(Tensor)} is DDP's {@code no_sync}: gradients stay local and accumulate until the next
 * synchronised backward, which averages the accumulated sums.
 */
final class GradientReducer implements AutoCloseable {

    /** DDP's {@code bucket_cap_mb=25}. */
    static final long BUCKET_BYTES = 25L * 1024 * 1024;
    /** DDP's {@code _DEFAULT_FIRST_BUCKET_BYTES}: a small first bucket starts communication early. */
    static final long FIRST_BUCKET_BYTES = 1024L * 1024;

    private final TensorVector parameters;
    private final Reducer reducer;
    private final boolean findUnusedParameters;

    GradientReducer(ProcessGroupConnection connection, TensorVector parameters, boolean findUnusedParameters) {
        this.parameters = parameters;
        this.findUnusedParameters = findUnusedParameters;
        SizeTVector limits = new SizeTVector(2);
        limits.put(0, FIRST_BUCKET_BYTES);
        limits.put(1, BUCKET_BYTES);
        T_SizeTVectorVectorSizeTVector_T assignment = torch.compute_bucket_assignment_by_size(parameters, limits);
        SizeTVectorVector buckets = assignment.get0();
        long n = buckets.size();
        SizeTVectorVector reversed = new SizeTVectorVector(n);
        for (long i = 0; i < n; i++) {
            reversed.put(i, buckets.get(n - 1 - i));
        }
        BoolVector sparse = new BoolVector(parameters.size());
        for (long i = 0; i < parameters.size(); i++) {
            sparse.put(i, false);
        }
        // gradient_as_bucket_view stays false: LibTorch's C++ Optimizer::zero_grad calls detach_() on every gradient,
        // which refuses views of DDP buckets (Python's zero_grad avoids detach_ for that reason)
        this.reducer = new Reducer(parameters, reversed, connection.group(), sparse, BUCKET_BYTES,
                findUnusedParameters, false, new SizeTStringMap(), FIRST_BUCKET_BYTES, false, false);
    }

    /** Before the forward of a synchronised step, as DDP's forward pre-hook. */
    void prepareForForward() {
        reducer.prepare_for_forward();
    }

    /**
     * Arms the reducer so the coming {@code backward()} of {@code loss} averages gradients; with
     * {@code find_unused_parameters} it walks the graph from {@code loss} to mark parameters that get no gradient.
     */
    void prepareForBackward(Tensor loss) {
        TensorVector outputs = findUnusedParameters ? new TensorVector(loss) : new TensorVector();
        try {
            reducer.prepare_for_backward(outputs);
        } finally {
            outputs.close();
        }
    }

    @Override
    public void close() {
        reducer.remove_autograd_hooks();
        reducer.close();
        parameters.close();
    }
}
