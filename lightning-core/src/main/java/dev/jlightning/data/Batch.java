package dev.jlightning.data;

import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * One batch yielded by a {@link DataLoader}: the tensors a dataset returns, each with the batch dimension first.
 *
 * <p>Counterpart of the tuple a PyTorch {@code DataLoader} yields ({@code x, y = batch}). A batch owns its tensors:
 * the Trainer closes it when the step that used it is done, which frees their native memory deterministically.
 * Users only close batches they pull from a loader themselves.
 */
public final class Batch implements AutoCloseable {

    // an array, walked by index: the loop touches every batch several times per step and should not allocate
    private final Tensor[] tensors;
    /**
     * What the loader that built the batch knows without asking LibTorch: the number of rows (-1 when unknown) and
     * whether every tensor is in CPU memory. The Trainer asks both on every step.
     */
    private final long knownSize;
    private final boolean knownCpu;

    private Batch(Tensor[] tensors) {
        this(tensors, -1, false);
    }

    private Batch(Tensor[] tensors, long knownSize, boolean knownCpu) {
        this.tensors = tensors;
        this.knownSize = knownSize;
        this.knownCpu = knownCpu;
    }

    /** Wraps the given tensors; the batch takes ownership of them. */
    public static Batch of(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one tensor");
        }
        return new Batch(tensors.clone());
    }

    /**
     * Wraps an array nobody else holds, without copying it: for the loaders' per-batch path, which knows the batch's
     * rows and whether its tensors are in CPU memory.
     */
    static Batch owning(Tensor[] tensors, long rows, boolean cpu) {
        return new Batch(tensors, rows, cpu);
    }

    /** Wraps the given tensors; the batch takes ownership of them. */
    public static Batch of(List<Tensor> tensors) {
        return of(tensors.toArray(new Tensor[0]));
    }

    /** The i-th tensor, as in {@code batch[i]}. */
    public Tensor get(int i) {
        if (i < 0 || i >= tensors.length) {
            throw new IndexOutOfBoundsException("batch has " + tensors.length + " tensors, asked for index " + i);
        }
        return tensors[i];
    }

    /** Shorthand for {@code get(0)}, the input of a supervised pair. */
    public Tensor x() {
        return get(0);
    }

    /** Shorthand for {@code get(1)}, the target of a supervised pair. */
    public Tensor y() {
        return get(1);
    }

    /** How many tensors the batch holds. */
    public int size() {
        return tensors.length;
    }

    /** The tensors, in order (read-only). */
    public List<Tensor> tensors() {
        return List.of(tensors);
    }

    /**
     * The number of samples: the first dimension of the first tensor, which is how Lightning infers the batch size
     * for weighting epoch means.
     */
    public long batchSize() {
        if (knownSize >= 0) {
            return knownSize;
        }
        Tensor first = tensors[0];
        return first.dim() == 0 ? 1 : first.size(0);
    }

    /**
     * A batch on another device. Returns this batch when every tensor already lives there; otherwise a new batch
     * owning the copies, and this one is closed.
     */
    public Batch to(Device device) {
        // the common CPU case is answered with one boolean call per tensor, without creating Device objects
        boolean cpu = device.is_cpu();
        if (cpu && knownCpu) {
            return this;
        }
        boolean same = true;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (cpu ? !t.is_cpu() : !sameDevice(t.device(), device)) {
                same = false;
                break;
            }
        }
        if (same) {
            return this;
        }
        Tensor[] moved = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            moved[i] = tensors[i].to(device, tensors[i].scalar_type());
        }
        close();
        return new Batch(moved);
    }

    private static boolean sameDevice(Device a, Device b) {
        return a.type() == b.type() && (!b.has_index() || a.index() == b.index());
    }

    /** Frees the tensors' native memory now. */
    @Override
    public void close() {
        for (int i = 0; i < tensors.length; i++) {
            tensors[i].close();
        }
    }
}
