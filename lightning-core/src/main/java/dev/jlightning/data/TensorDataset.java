package dev.jlightning.data;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import static org.bytedeco.pytorch.global.torch.index_select;

/**
 * A dataset over tensors that share their first dimension; sample {@code i} is each tensor's row {@code i}.
 *
 * <p>Counterpart of {@code torch.utils.data.TensorDataset}. Batches are gathered with one {@code index_select}
 * per tensor rather than by stacking rows, so building a batch costs a single native call per tensor.
 * The dataset keeps its own handles on the tensors (sharing their storage) and frees them on {@link #close()}.
 */
public final class TensorDataset implements Dataset, AutoCloseable {

    private final List<Tensor> tensors;
    private final int size;
    /** Whether every tensor is in CPU memory, so a batch can tell the Trainer without asking LibTorch per step. */
    private final boolean onCpu;

    /**
     * @param tensors one or more tensors with the same size along dimension 0
     * @throws IllegalArgumentException if there are none or their first dimensions differ
     */
    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset needs at least one tensor");
        }
        long n = -1;
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null || tensors[i].isNull()) {
                throw new IllegalArgumentException("TensorDataset tensor " + i + " is null or freed");
            }
            if (tensors[i].dim() == 0) {
                throw new IllegalArgumentException("TensorDataset tensor " + i + " is a scalar; it needs a first dimension");
            }
            long rows = tensors[i].size(0);
            if (n >= 0 && rows != n) {
                throw new IllegalArgumentException("Size mismatch between tensors: tensor 0 has " + n
                        + " rows, tensor " + i + " has " + rows);
            }
            n = rows;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TensorDataset supports at most " + Integer.MAX_VALUE + " rows, got " + n);
        }
        this.size = (int) n;
        List<Tensor> own = new ArrayList<>(tensors.length);
        try (PointerScope scope = new PointerScope()) {
            for (Tensor t : tensors) {
                // a fresh handle on the same storage, owned by this dataset and not by any caller's scope
                Tensor handle = new Tensor(t);
                handle.retainReference();
                own.add(handle);
            }
        }
        this.tensors = List.copyOf(own);
        boolean cpu = true;
        for (Tensor t : this.tensors) {
            cpu &= t.is_cpu();
        }
        this.onCpu = cpu;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Batch get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " out of range for TensorDataset of size " + size);
        }
        Tensor[] row = new Tensor[tensors.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = tensors.get(i).select(0, index);
        }
        return Batch.of(row);
    }

    @Override
    public Batch getBatch(int[] indices) {
        for (int index : indices) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + " out of range for TensorDataset of size " + size);
            }
        }
        Tensor[] out = new Tensor[tensors.size()];
        // Tensor.create also allocates the index buffer and options objects: the scope frees them all, and only
        // the gathered rows are kept (one reference each, released when the batch is closed)
        try (PointerScope scope = new PointerScope()) {
            Tensor idx = Tensor.create(toLongs(indices));
            for (int i = 0; i < out.length; i++) {
                out[i] = index_select(tensors.get(i), 0, idx);
                out[i].retainReference();
            }
        }
        return Batch.of(out);
    }

    /**
     * A pass over this dataset in {@code order}, for a loader that walks the order batch by batch: the whole order is
     * one native index tensor, split into batch views once, and each batch gathers with its view. Per batch that is a view and
     * one {@code index_select} per tensor, where {@link #getBatch(int[])} also builds an index tensor (with its
     * options, device and indexer objects) every time.
     *
     * @throws IndexOutOfBoundsException if an index is outside the dataset
     */
    Pass pass(int[] order, int batchSize) {
        for (int index : order) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + " out of range for TensorDataset of size " + size);
            }
        }
        return new Pass(order, batchSize);
    }

    /** The gather state of one pass; owns the batch-sized views of its index tensor until {@link #close()}. */
    final class Pass implements AutoCloseable {
        private final TensorVector chunks;
        private final int batchSize;
        private final int length;

        private Pass(int[] indices, int batchSize) {
            this.batchSize = batchSize;
            this.length = indices.length;
            // its own scope, the views retained: they outlive whatever scope the caller has open while iterating, and
            // keep the index's storage alive. Made in one call, a batch then takes its view from the vector, which
            // costs a reference count where a narrow() per batch goes through the dispatcher and builds a new view
            try (PointerScope scope = new PointerScope()) {
                chunks = Tensor.create(toLongs(indices)).split(batchSize);
                chunks.retainReference();
            }
        }

        /**
         * Batch {@code b} of the pass, the order's entries from {@code b * batchSize} (the last batch may be shorter);
         * the caller owns it.
         */
        Batch batch(int b) {
            Tensor[] out = new Tensor[tensors.size()];
            long rows = Math.min(batchSize, length - (long) b * batchSize);
            if (PointerScope.getInnerScope() == null) {
                return unscopedBatch(b, out, rows);
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor idx = chunks.get(b);
                for (int i = 0; i < out.length; i++) {
                    out[i] = index_select(tensors.get(i), 0, idx);
                    out[i].retainReference();
                }
            }
            return Batch.owning(out, rows, onCpu);
        }

        /**
         * The batch when no scope is open, as between the Trainer's steps: nothing would adopt the new tensors, so
         * they need no scope of their own, and the index view is freed here.
         */
        private Batch unscopedBatch(int b, Tensor[] out, long rows) {
            Tensor idx = chunks.get(b);
            try {
                for (int i = 0; i < out.length; i++) {
                    out[i] = index_select(tensors.get(i), 0, idx);
                }
                return Batch.owning(out, rows, onCpu);
            } catch (RuntimeException | Error e) {
                for (Tensor t : out) {
                    if (t != null) {
                        t.close();
                    }
                }
                throw e;
            } finally {
                idx.close();
            }
        }

        @Override
        public void close() {
            chunks.close();
        }
    }

    private static long[] toLongs(int[] indices) {
        long[] longs = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            longs[i] = indices[i];
        }
        return longs;
    }

    /** The i-th tensor the dataset was built from. */
    public Tensor tensor(int i) {
        return tensors.get(i);
    }

    @Override
    public void close() {
        for (Tensor t : tensors) {
            t.close();
        }
    }
}
