package dev.jlightning.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Batches a {@link Dataset}: fixed batch size, optional seeded shuffling, optional dropping of the last partial
 * batch, and optional background prefetch.
 *
 * <p>Counterpart of {@code torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last, generator)}.
 * With {@code shuffle(true)} every pass ({@link #iterator()}) draws a fresh permutation from the loader's
 * {@link DataOrderGenerator}, like a {@code RandomSampler} drawing from its generator each epoch; the same seed gives
 * the same sequence of orders. With {@code prefetch(n)} a daemon thread builds up to {@code n} batches ahead while the
 * training step runs ({@code num_workers=1, prefetch_factor=n} in PyTorch terms). Batches are owned by whoever
 * takes them from the iterator; the Trainer closes each one after its step.
 */
public final class DataLoader implements Iterable<Batch> {

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int prefetch;
    private final DataOrderGenerator generator;
    private final Optional<DistributedSampler> sampler;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.generator = new DataOrderGenerator(b.seed.isPresent() ? b.seed.getAsLong() : GlobalSeed.next());
        this.sampler = b.sampler;
    }

    private DataLoader(DataLoader base, DistributedSampler sampler) {
        this.dataset = base.dataset;
        this.batchSize = base.batchSize;
        this.shuffle = base.shuffle;
        this.dropLast = base.dropLast;
        this.prefetch = base.prefetch;
        // shared, not copied: the view draws the same epoch orders as the loader it was made from, and a checkpoint
        // of either restores both
        this.generator = base.generator;
        this.sampler = Optional.of(sampler);
    }

    /**
     * This loader with {@code sampler} splitting each epoch's order among the ranks, as Lightning re-creates a
     * loader with a {@code DistributedSampler}; dataset, batch size, shuffling and generator are shared.
     */
    public DataLoader withDistributedSampler(DistributedSampler sampler) {
        if (sampler == null) {
            throw new IllegalArgumentException("withDistributedSampler needs a sampler, got null");
        }
        return new DataLoader(this, sampler);
    }

    /** The distributed sampler that splits this loader's epochs among ranks, if any. */
    public Optional<DistributedSampler> distributedSampler() {
        return sampler;
    }

    /** Starts a builder over {@code dataset}; the batch size defaults to 1 as in PyTorch. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Shorthand for {@code builder(dataset).batchSize(batchSize).build()}. */
    public static DataLoader of(Dataset dataset, int batchSize) {
        return builder(dataset).batchSize(batchSize).build();
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public boolean dropLast() {
        return dropLast;
    }

    /** Number of batches in one pass, {@code len(loader)}. */
    public int numBatches() {
        int n = sampler.isPresent() ? sampler.get().numSamples(dataset.size()) : dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The generator that orders samples; its state belongs in checkpoints. */
    public DataOrderGenerator generator() {
        return generator;
    }

    /** The generator's state, for checkpoints. */
    public Map<String, Object> stateDict() {
        return generator.stateDict();
    }

    /** Restores the generator's state from {@link #stateDict()}. */
    public void loadStateDict(Map<String, ?> state) {
        generator.loadStateDict(state);
    }

    /**
     * One pass over the data. Shuffling loaders draw the pass's order now, so two iterators taken one after the
     * other see two different epochs' orders.
     */
    @Override
    public BatchIterator iterator() {
        return iterator(0);
    }

    /**
     * One pass that starts at batch {@code firstBatch}: the pass's order is drawn exactly as {@link #iterator()}
     * draws it, and the batches before {@code firstBatch} are skipped without being built. A run resumed from a
     * mid-epoch checkpoint uses it, with the generator restored to the epoch's start, to continue at the next batch
     * in the same order.
     *
     * @throws IllegalArgumentException if {@code firstBatch} is negative or beyond the pass
     */
    public BatchIterator iterator(int firstBatch) {
        if (firstBatch < 0 || firstBatch > numBatches()) {
            throw new IllegalArgumentException("firstBatch must be in [0, " + numBatches() + "], got " + firstBatch);
        }
        int[] order = shuffle ? generator.permutation(dataset.size()) : identity(dataset.size());
        if (sampler.isPresent()) {
            order = sampler.get().shard(order);
        }
        return prefetch > 0 ? new PrefetchingIterator(order, firstBatch) : new DirectIterator(order, firstBatch);
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private int[] indicesOf(int[] order, int batchIndex) {
        int from = batchIndex * batchSize;
        int to = Math.min(from + batchSize, order.length);
        return Arrays.copyOfRange(order, from, to);
    }

    /** An iterator over one pass that can be closed early, stopping any prefetch thread. */
    public interface BatchIterator extends Iterator<Batch>, AutoCloseable {
        @Override
        void close();
    }

    /** {@code dataset.getBatch(indices)}, refusing null with the dataset and the indices named. */
    private Batch batch(int[] indices) {
        Batch b = dataset.getBatch(indices);
        if (b == null) {
            throw new IllegalStateException(dataset.getClass().getName() + ".getBatch(" + java.util.Arrays.toString(
                    indices.length > 16 ? java.util.Arrays.copyOf(indices, 16) : indices) + ") returned null; a"
                    + " Dataset must return the batch for every index in [0, size())");
        }
        return b;
    }

    private final class DirectIterator implements BatchIterator {
        private final int[] order;
        private final int total = numBatches();
        private int next;
        /** For a TensorDataset, the pass's native index, made at the first batch and freed after the last. */
        private TensorDataset.Pass pass;

        DirectIterator(int[] order, int firstBatch) {
            this.order = order;
            this.next = firstBatch;
        }

        @Override
        public boolean hasNext() {
            return next < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int b = next++;
            if (!(dataset instanceof TensorDataset)) {
                return batch(indicesOf(order, b));
            }
            if (pass == null) {
                pass = ((TensorDataset) dataset).pass(order, batchSize);
            }
            Batch batch = pass.batch(b);
            if (next == total) {
                close();
            }
            return batch;
        }

        @Override
        public void close() {
            next = total;
            if (pass != null) {
                pass.close();
                pass = null;
            }
        }
    }

    private final class PrefetchingIterator implements BatchIterator {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(prefetch);
        private final Thread worker;
        private final int total = numBatches();
        private int taken;
        private volatile boolean closed;

        PrefetchingIterator(int[] order, int firstBatch) {
            taken = firstBatch;
            worker = new Thread(() -> produce(order, firstBatch), "jlightning-prefetch");
            worker.setDaemon(true);
            worker.start();
        }

        private void produce(int[] order, int firstBatch) {
            try {
                for (int b = firstBatch; b < total && !closed; b++) {
                    Object item;
                    try {
                        item = batch(indicesOf(order, b));
                    } catch (RuntimeException e) {
                        item = e;
                    }
                    queue.put(item);
                    if (item instanceof RuntimeException) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean hasNext() {
            return !closed && taken < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the next batch", e);
            }
            taken++;
            if (item instanceof RuntimeException) {
                closed = true;
                throw new IllegalStateException("building batch " + (taken - 1) + " failed", (RuntimeException) item);
            }
            return (Batch) item;
        }

        @Override
        public void close() {
            closed = true;
            worker.interrupt();
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Object leftover;
            while ((leftover = queue.poll()) != null) {
                if (leftover instanceof Batch) {
                    ((Batch) leftover).close();
                }
            }
        }
    }

    /** Builder for {@link DataLoader}; {@code batchSize}, {@code shuffle}, {@code dropLast} mirror PyTorch's names. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private int prefetch;
        private OptionalLong seed = OptionalLong.empty();
        private Optional<DistributedSampler> sampler = Optional.empty();

        private Builder(Dataset dataset) {
            if (dataset == null) {
                throw new IllegalArgumentException("DataLoader needs a dataset, got null");
            }
            this.dataset = dataset;
        }

        /** Samples per batch; must be at least 1. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch_size should be a positive integer value, but got batch_size=" + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each pass visits samples in a new random order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether to drop the last batch when it would be smaller than {@code batchSize}. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Seed of the shuffle generator; without it the seed comes from {@code Trainer.seedEverything}. */
        public Builder seed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        /** Batches to build ahead on a background thread; 0 (the default) builds them on the caller's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Splits each epoch among the ranks of a distributed job; the Trainer adds one itself under DDP. */
        public Builder sampler(DistributedSampler sampler) {
            if (sampler == null) {
                throw new IllegalArgumentException("sampler must not be null; leave it unset for none");
            }
            this.sampler = Optional.of(sampler);
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
