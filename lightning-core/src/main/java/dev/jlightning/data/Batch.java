package dev.jlightning.data;

import java.util.ArrayList;
import java.util.Collections;
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

    private final List<Tensor> tensors;

    private Batch(List<Tensor> tensors) {
        this.tensors = Collections.unmodifiableList(tensors);
    }

    /** Wraps the given tensors; the batch takes ownership of them. */
    public static Batch of(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one tensor");
        }
        List<Tensor> list = new ArrayList<>(tensors.length);
        Collections.addAll(list, tensors);
        return new Batch(list);
    }

    /** Wraps the given tensors; the batch takes ownership of them. */
    public static Batch of(List<Tensor> tensors) {
        return of(tensors.toArray(new Tensor[0]));
    }

    /** The i-th tensor, as in {@code batch[i]}. */
    public Tensor get(int i) {
        if (i < 0 || i >= tensors.size()) {
            throw new IndexOutOfBoundsException("batch has " + tensors.size() + " tensors, asked for index " + i);
        }
        return tensors.get(i);
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
        return tensors.size();
    }

    /** The tensors, in order (read-only). */
    public List<Tensor> tensors() {
        return tensors;
    }

    /**
     * The number of samples: the first dimension of the first tensor, which is how Lightning infers the batch size
     * for weighting epoch means.
     */
    public long batchSize() {
        Tensor first = tensors.get(0);
        return first.dim() == 0 ? 1 : first.size(0);
    }

    /**
     * A batch on another device. Returns this batch when every tensor already lives there; otherwise a new batch
     * owning the copies, and this one is closed.
     */
    public Batch to(Device device) {
        // the common CPU case is answered with one boolean call per tensor, without creating Device objects
        boolean cpu = device.is_cpu();
        boolean same = true;
        for (Tensor t : tensors) {
            if (cpu ? !t.is_cpu() : !sameDevice(t.device(), device)) {
                same = false;
                break;
            }
        }
        if (same) {
            return this;
        }
        List<Tensor> moved = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            moved.add(t.to(device, t.scalar_type()));
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
        for (Tensor t : tensors) {
            t.close();
        }
    }
}
