package dev.jlightning.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    private static TensorDataset indices(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return new TensorDataset(Tensor.create(values, n, 1), Tensor.create(values, n));
    }

    private static List<Integer> order(DataLoader loader) {
        List<Integer> seen = new ArrayList<>();
        for (Batch b : loader) {
            try (b) {
                Tensor x = b.x();
                for (long i = 0; i < x.size(0); i++) {
                    seen.add((int) x.get(i).item_double());
                }
            }
        }
        return seen;
    }

    @Test
    void sequentialBatchesWithAPartialLastBatch() {
        DataLoader loader = DataLoader.builder(indices(10)).batchSize(4).build();
        assertEquals(3, loader.numBatches());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order(loader));
        List<Long> sizes = new ArrayList<>();
        for (Batch b : loader) {
            sizes.add(b.batchSize());
            b.close();
        }
        assertEquals(List.of(4L, 4L, 2L), sizes);
    }

    @Test
    void batchesAreTheSameWithOrWithoutAnOpenScopeAndOutliveIt() {
        // the Trainer pulls batches between its steps, with no scope open; user code may pull them inside one
        List<Integer> unscoped = order(DataLoader.builder(indices(10)).batchSize(4).shuffle(true).seed(7).build());
        List<Batch> pulled = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            for (Batch b : DataLoader.builder(indices(10)).batchSize(4).shuffle(true).seed(7).build()) {
                pulled.add(b);
            }
        }
        List<Integer> scoped = new ArrayList<>();
        for (Batch b : pulled) {
            try (b) {
                for (long i = 0; i < b.x().size(0); i++) {
                    scoped.add((int) b.x().get(i).item_double());
                    assertEquals(b.x().get(i).item_double(), b.y().get(i).item_double());
                }
            }
        }
        assertEquals(unscoped, scoped, "the closed scope took nothing the batches own");
        assertEquals(10, new java.util.HashSet<>(scoped).size());
        assertFalse(unscoped.equals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), "shuffled");
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader loader = DataLoader.builder(indices(10)).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.numBatches());
        assertEquals(8, order(loader).size());
    }

    @Test
    void sameSeedSameOrdersAndEachEpochReshuffles() {
        DataLoader a = DataLoader.builder(indices(50)).batchSize(7).shuffle(true).seed(123).build();
        DataLoader b = DataLoader.builder(indices(50)).batchSize(7).shuffle(true).seed(123).build();
        List<Integer> a1 = order(a);
        List<Integer> a2 = order(a);
        assertEquals(a1, order(b));
        assertEquals(a2, order(b));
        assertFalse(a1.equals(a2), "the second epoch must have a new order");
        assertEquals(50, a1.stream().distinct().count());
        DataLoader c = DataLoader.builder(indices(50)).batchSize(7).shuffle(true).seed(124).build();
        assertFalse(a1.equals(order(c)));
    }

    @Test
    void prefetchYieldsExactlyTheSameBatches() {
        DataLoader plain = DataLoader.builder(indices(100)).batchSize(8).shuffle(true).seed(9).build();
        DataLoader prefetched = DataLoader.builder(indices(100)).batchSize(8).shuffle(true).seed(9).prefetch(3)
                .build();
        assertEquals(order(plain), order(prefetched));
        assertEquals(order(plain), order(prefetched));
    }

    @Test
    void closingAPrefetchingIteratorEarlyStopsTheWorker() {
        DataLoader loader = DataLoader.builder(indices(100)).batchSize(2).prefetch(2).build();
        try (DataLoader.BatchIterator it = loader.iterator()) {
            it.next().close();
        }
        assertEquals(100, order(loader).size());
    }

    private static List<Integer> rest(DataLoader loader, int firstBatch) {
        List<Integer> seen = new ArrayList<>();
        try (DataLoader.BatchIterator it = loader.iterator(firstBatch)) {
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    for (long i = 0; i < b.x().size(0); i++) {
                        seen.add((int) b.x().get(i).item_double());
                    }
                }
            }
        }
        return seen;
    }

    @Test
    void iteratorFromABatchContinuesTheSameEpochOrder() {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader a = DataLoader.builder(indices(30)).batchSize(4).shuffle(true).seed(8).prefetch(prefetch)
                    .build();
            var start = a.stateDict();
            List<Integer> full = order(a);
            DataLoader b = DataLoader.builder(indices(30)).batchSize(4).shuffle(true).seed(1).prefetch(prefetch)
                    .build();
            b.loadStateDict(start);
            assertEquals(full.subList(12, 30), rest(b, 3));
            assertEquals(a.stateDict(), b.stateDict(), "the skipped epoch drew the same order");
            assertEquals(List.of(), rest(b, 8));
        }
        DataLoader c = DataLoader.builder(indices(30)).batchSize(4).build();
        assertThrows(IllegalArgumentException.class, () -> c.iterator(9));
        assertThrows(IllegalArgumentException.class, () -> c.iterator(-1));
    }

    @Test
    void generatorStateRoundTrips() {
        DataLoader a = DataLoader.builder(indices(30)).batchSize(5).shuffle(true).seed(5).build();
        order(a);
        var state = a.stateDict();
        List<Integer> next = order(a);
        DataLoader b = DataLoader.builder(indices(30)).batchSize(5).shuffle(true).seed(999).build();
        b.loadStateDict(state);
        assertEquals(next, order(b));
    }

    @Test
    void tensorDatasetChecksItsInput() {
        assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.create(new float[4], 4), Tensor.create(new float[3], 3)));
        assertThrows(IllegalArgumentException.class, TensorDataset::new);
        TensorDataset ds = indices(3);
        assertThrows(IndexOutOfBoundsException.class, () -> ds.getBatch(new int[] {0, 3}));
        try (Batch one = ds.get(2)) {
            assertEquals(2.0, one.y().item_double());
            assertArrayEquals(new long[] {1}, one.x().shape());
        }
    }
}
