package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    /** Sample i is 2 x 2 x 2 values i, i+0.01, ..; its label i mod 3. */
    private record Numbered(int size) implements Dataset {
        @Override
        public long[] sampleShape() {
            return new long[] {2, 2, 2};
        }

        @Override
        public int classes() {
            return 3;
        }

        @Override
        public void copySample(int index, float[] dst, int offset) {
            for (int k = 0; k < 8; k++) dst[offset + k] = index + k / 100f;
        }

        @Override
        public int label(int index) {
            return index % 3;
        }
    }

    /** The sample numbers of every batch of an epoch, checking each batch's labels and values as it comes. */
    private static List<int[]> numbers(BatchLoader.Epoch epoch) {
        List<int[]> batches = new ArrayList<>();
        for (Batch b : epoch) {
            int[] ids = new int[b.size()];
            for (int i = 0; i < b.size(); i++) {
                ids[i] = Math.round(b.images()[i * 8]);
                assertEquals(ids[i] % 3, b.labels()[i]);
                assertEquals(ids[i] + 0.07f, b.images()[i * 8 + 7], 1e-4);
            }
            assertEquals(batches.size(), b.index());
            batches.add(ids);
        }
        return batches;
    }

    @Test
    void trainingEpochsShuffleEachSampleOnceAndDropThePartialBatch() {
        BatchLoader loader = BatchLoader.training(new Numbered(23), 5, 9, Augmentation.NONE);
        assertEquals(4, loader.batchesPerEpoch());
        assertEquals(20, loader.samplesPerEpoch());
        List<int[]> epoch0 = numbers(loader.epoch(0));
        assertEquals(4, epoch0.size());
        Set<Integer> seen = new HashSet<>();
        for (int[] batch : epoch0) {
            assertEquals(5, batch.length);
            for (int id : batch) assertTrue(seen.add(id), "sample " + id + " came twice");
        }
        int[] flat = epoch0.stream().flatMapToInt(Arrays::stream).toArray();
        assertFalse(Arrays.equals(flat, java.util.stream.IntStream.range(0, 20).toArray()), "the order is shuffled");
    }

    @Test
    void anEpochRepeatsExactlyAndDiffersFromOtherEpochsAndSeeds() {
        BatchLoader loader = BatchLoader.training(new Numbered(40), 8, 1, Augmentation.NONE);
        List<int[]> first = numbers(loader.epoch(3));
        assertArraysEqual(first, numbers(loader.epoch(3)));
        assertArraysEqual(first, numbers(loader.prefetch(false).epoch(3)));
        assertFalse(Arrays.deepEquals(first.toArray(), numbers(loader.epoch(4)).toArray()));
        assertFalse(Arrays.deepEquals(first.toArray(),
                numbers(BatchLoader.training(new Numbered(40), 8, 2, Augmentation.NONE).epoch(3)).toArray()));
    }

    @Test
    void anEpochTakenUpPartWayGivesTheSameRemainingBatches() {
        Dataset train = DataSources.load(DataOptions.defaults().withName("synthetic"), new long[] {1, 8, 8}, 4)
                .train();
        BatchLoader loader = BatchLoader.training(train, 7, 3, new Augmentation(2, true));
        List<float[]> whole = new ArrayList<>();
        for (Batch b : loader.epoch(2)) whole.add(b.images().clone());
        int first = 5;
        int i = first;
        for (Batch b : loader.epoch(2, first)) {
            assertEquals(i, b.index());
            assertArrayEquals(whole.get(i), b.images(), "batch " + i);
            i++;
        }
        assertEquals(whole.size(), i, "the remaining batches, every one of them");
        assertFalse(loader.epoch(2, loader.batchesPerEpoch()).hasNext(), "an epoch taken up at its end is empty");
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(2, loader.batchesPerEpoch() + 1));
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(2, -1));
    }

    private static void assertArraysEqual(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i));
    }

    @Test
    void evaluationKeepsOrderAndTheLastPartialBatch() {
        BatchLoader loader = BatchLoader.evaluation(new Numbered(11), 4);
        List<int[]> batches = numbers(loader.epoch(0));
        assertEquals(3, loader.batchesPerEpoch());
        assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0));
        assertArrayEquals(new int[] {8, 9, 10}, batches.get(2));
        var last = loader.epoch(0);
        last.next();
        last.next();
        assertArrayEquals(new long[] {3, 2, 2, 2}, last.next().shape());
        assertFalse(last.hasNext());
        assertThrows(java.util.NoSuchElementException.class, last::next);
        assertEquals(2, numbers(loader.dropLast(true).epoch(0)).size());
    }

    @Test
    void augmentedBatchesRepeatWithTheSeedAndDifferFromPlainOnes() {
        Dataset train = DataSources.load(DataOptions.defaults().withName("synthetic"), new long[] {3, 16, 16}, 4)
                .train();
        Augmentation aug = new Augmentation(2, true);
        float[] a = firstBatch(BatchLoader.training(train, 16, 5, aug));
        float[] b = firstBatch(BatchLoader.training(train, 16, 5, aug).prefetch(false));
        float[] plain = firstBatch(BatchLoader.training(train, 16, 5, Augmentation.NONE));
        assertArrayEquals(a, b);
        assertEquals(16 * 3 * 16 * 16, a.length);
        assertFalse(Arrays.equals(a, plain));
    }

    private static float[] firstBatch(BatchLoader loader) {
        return loader.epoch(0).next().images().clone();
    }

    @Test
    void badSizesAreClearErrors() {
        var tooSmall = assertThrows(BadInputException.class,
                () -> BatchLoader.training(new Numbered(3), 4, 0, Augmentation.NONE));
        assertTrue(tooSmall.getMessage().contains("fewer than one batch of 4"), tooSmall.getMessage());
        assertThrows(BadInputException.class, () -> BatchLoader.evaluation(new Numbered(3), 0));
        assertThrows(BadInputException.class, () -> BatchLoader.evaluation(new Numbered(0), 2));
        assertEquals(1, numbers(BatchLoader.evaluation(new Numbered(3), 4).epoch(0)).size());
    }
}
