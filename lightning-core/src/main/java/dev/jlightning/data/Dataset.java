package dev.jlightning.data;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.javacpp.PointerScope;

import static org.bytedeco.pytorch.global.torch.stack;

/**
 * A map-style dataset: a fixed number of samples, each a group of tensors, addressed by index.
 *
 * <p>Counterpart of {@code torch.utils.data.Dataset} with {@code __len__} and {@code __getitem__}. A
 * {@link DataLoader} asks for whole batches through {@link #getBatch(int[])}; the default stacks single samples,
 * and datasets that hold whole tensors (such as {@link TensorDataset}) override it with one gather per tensor.
 */
public interface Dataset {

    /** Number of samples, {@code len(dataset)}. */
    int size();

    /**
     * The sample at {@code index}, as a batch of tensors without a batch dimension; the caller owns it.
     */
    Batch get(int index);

    /**
     * The samples at {@code indices}, stacked along a new first dimension; the caller owns the result.
     */
    default Batch getBatch(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("cannot build a batch from no indices");
        }
        Batch first = sample(this, indices[0]);
        int width = first.size();
        Batch[] samples = new Batch[indices.length];
        samples[0] = first;
        try {
            for (int i = 1; i < indices.length; i++) {
                samples[i] = sample(this, indices[i]);
                if (samples[i].size() != width) {
                    throw new IllegalStateException("sample " + indices[i] + " has " + samples[i].size()
                            + " tensors, sample " + indices[0] + " has " + width);
                }
            }
            Tensor[] stacked = new Tensor[width];
            for (int j = 0; j < width; j++) {
                try (PointerScope scope = new PointerScope()) {
                    TensorVector column = new TensorVector();
                    for (Batch s : samples) {
                        column.push_back(s.get(j));
                    }
                    stacked[j] = stack(column);
                    stacked[j].retainReference();
                }
            }
            return Batch.of(stacked);
        } finally {
            for (Batch s : samples) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /**
     * {@code dataset.get(index)}, refusing null with a message naming the dataset and the index (PyTorch's
     * {@code default_collate} raises a TypeError for a None sample; a null here would otherwise surface as a
     * NullPointerException deep inside batching).
     */
    static Batch sample(Dataset dataset, int index) {
        Batch b = dataset.get(index);
        if (b == null) {
            throw new IllegalStateException(dataset.getClass().getName() + ".get(" + index + ") returned null; a"
                    + " Dataset must return the sample at every index in [0, size()), here size() = "
                    + dataset.size());
        }
        return b;
    }
}
