package dev.jlightning.data;

import java.util.Arrays;

/**
 * Splits one epoch's sample order among the ranks of a distributed job, each rank taking every
 * {@code numReplicas}-th sample from its own offset.
 *
 * <p>Counterpart of {@code torch.utils.data.DistributedSampler(dataset, num_replicas, rank, shuffle, drop_last)}:
 * the order is padded by repeating its first samples until it divides evenly among the ranks (or, with
 * {@code dropLast}, its tail is dropped), then rank {@code r} takes positions {@code r, r + numReplicas, ...}. Every
 * rank thus runs the same number of batches, and batch {@code k} of all ranks together holds the samples of batch
 * {@code k} of a single process whose batch size is {@code numReplicas} times larger.
 *
 * <p>The order itself comes from the {@link DataLoader} it is attached to: its generator draws a fresh permutation for
 * each pass, seeded identically on every rank. That plays the part of PyTorch's {@code set_epoch(epoch)} (a new
 * shuffle each epoch, the same on all ranks) without a call the user can forget, and it makes a shuffled
 * {@code N}-process run visit exactly the global batches of the 1-process run with the same seed; a resumed run
 * draws the same orders because the generator's state is in the checkpoint.
 */
public final class DistributedSampler {

    private final int numReplicas;
    private final int rank;
    private final boolean dropLast;

    /**
     * @param numReplicas the world size, at least 1
     * @param rank this process's global rank, in {@code [0, numReplicas)}
     * @param dropLast drop the tail that does not divide evenly instead of padding
     * @throws IllegalArgumentException for a rank outside the world
     */
    public DistributedSampler(int numReplicas, int rank, boolean dropLast) {
        if (numReplicas < 1) {
            throw new IllegalArgumentException("num_replicas must be >= 1, got " + numReplicas);
        }
        if (rank < 0 || rank >= numReplicas) {
            throw new IllegalArgumentException("Invalid rank " + rank + ", rank should be in the interval [0, "
                    + (numReplicas - 1) + "]");
        }
        this.numReplicas = numReplicas;
        this.rank = rank;
        this.dropLast = dropLast;
    }

    /** The padding sampler Lightning puts into a loader: {@code drop_last=False}. */
    public static DistributedSampler of(int numReplicas, int rank) {
        return new DistributedSampler(numReplicas, rank, false);
    }

    public int numReplicas() {
        return numReplicas;
    }

    public int rank() {
        return rank;
    }

    public boolean dropLast() {
        return dropLast;
    }

    /** Samples this rank sees per epoch out of {@code datasetSize}; PyTorch's {@code len(sampler)}. */
    public int numSamples(int datasetSize) {
        if (dropLast && datasetSize % numReplicas != 0) {
            // PyTorch: math.ceil((len(dataset) - num_replicas) / num_replicas), i.e. the floor of the even share
            return Math.max(0, (int) Math.ceil((datasetSize - numReplicas) / (double) numReplicas));
        }
        return (datasetSize + numReplicas - 1) / numReplicas;
    }

    /** This rank's part of {@code order}, one epoch's full sample order. */
    public int[] shard(int[] order) {
        int perRank = numSamples(order.length);
        int total = perRank * numReplicas;
        int[] padded;
        if (total <= order.length) {
            padded = order;
        } else {
            padded = Arrays.copyOf(order, total);
            // PyTorch repeats the order as often as needed when the padding is longer than the order itself
            for (int i = order.length; i < total; i++) {
                padded[i] = order.length == 0 ? 0 : order[(i - order.length) % order.length];
            }
        }
        int[] mine = new int[perRank];
        for (int i = 0; i < perRank; i++) {
            mine[i] = padded[rank + i * numReplicas];
        }
        return mine;
    }

    @Override
    public String toString() {
        return "DistributedSampler(num_replicas=" + numReplicas + ", rank=" + rank + ", drop_last=" + dropLast + ")";
    }
}
