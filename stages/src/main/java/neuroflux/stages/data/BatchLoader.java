package neuroflux.stages.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import neuroflux.onnx.BadInputException;

/**
 * Cuts a data set into batches, one epoch at a time. A training loader shuffles, augments and drops the last
 * partial batch; an evaluation loader keeps the data set's order and every sample. The order of epoch {@code e} and
 * the augmentation of each sample depend only on (seed, e, position), so a rerun repeats every batch exactly,
 * whether or not the next batch is prepared in the background (prefetch, on by default).
 *
 * <pre>{@code
 * BatchLoader loader = BatchLoader.training(splits.train(), 128, seed, options.augmentation(shape));
 * for (int e = 0; e < epochs; e++)
 *     for (Batch b : loader.epoch(e)) step(b.images(), b.labels(), b.size());
 * }</pre>
 */
public final class BatchLoader {
    private final Dataset data;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Augmentation augmentation;
    private final boolean prefetch;

    private BatchLoader(Dataset data, int batchSize, long seed, boolean shuffle, boolean dropLast,
            Augmentation augmentation, boolean prefetch) {
        if (batchSize <= 0) throw new BadInputException("the batch size must be at least 1, not " + batchSize);
        if (data.size() == 0) throw new BadInputException("cannot make batches of an empty data set");
        if (dropLast && data.size() < batchSize)
            throw new BadInputException("the training set has " + data.size() + " samples, fewer than one batch of "
                    + batchSize + "; use a smaller batch size");
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.augmentation = augmentation;
        this.prefetch = prefetch;
    }

    /** Shuffled, augmented batches of exactly {@code batchSize} samples; the last partial batch is dropped. */
    public static BatchLoader training(Dataset data, int batchSize, long seed, Augmentation augmentation) {
        return new BatchLoader(data, batchSize, seed, true, true, augmentation, true);
    }

    /** Every sample in order, unchanged, in batches of {@code batchSize}; the last may be partial. */
    public static BatchLoader evaluation(Dataset data, int batchSize) {
        return new BatchLoader(data, batchSize, 0, false, false, Augmentation.NONE, true);
    }

    /** This loader, but keeping ({@code false}) or dropping ({@code true}) the last partial batch. */
    public BatchLoader dropLast(boolean drop) {
        return new BatchLoader(data, batchSize, seed, shuffle, drop, augmentation, prefetch);
    }

    /** This loader, preparing the next batch on a background thread or not; the batches are the same either way. */
    public BatchLoader prefetch(boolean on) {
        return new BatchLoader(data, batchSize, seed, shuffle, dropLast, augmentation, on);
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
    }

    /** Samples one epoch covers (all of them, less a dropped partial batch). */
    public int samplesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : data.size();
    }

    /** The batches of epoch {@code epoch}; iterate it once. */
    public Epoch epoch(int epoch) {
        return new Epoch(epoch, 0);
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code first} on, the same as those of {@link #epoch(int)}
     * from there (indices included): where a run stopped part way through an epoch goes on.
     */
    public Epoch epoch(int epoch, int first) {
        if (first < 0 || first > batchesPerEpoch()) {
            throw new IllegalArgumentException("batch " + first + " is outside an epoch of " + batchesPerEpoch());
        }
        return new Epoch(epoch, first);
    }

    /**
     * The batches of one epoch. A batch returned by {@link #next()} stays valid until the following call of
     * {@code next()}, which may reuse its arrays. One thread iterates; a second one, when prefetching, fills the
     * batch after the current one into the other of two buffers.
     */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch> {
        private final int epoch;
        private final int[] order;
        private final int count;
        private final Batch[] buffers = new Batch[2];
        private int next;
        private FutureTask<Batch> pending;

        private Epoch(int epoch, int first) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.count = batchesPerEpoch();
            this.next = first;
            int capacity = Math.min(batchSize, data.size());
            for (int i = 0; i < buffers.length; i++)
                buffers[i] = new Batch(data.sampleShape(), data.sampleSize(), capacity);
            if (prefetch && next < count) pending = start(next);
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has " + count + " batches");
            Batch batch = prefetch ? await(pending) : fill(next);
            next++;
            if (prefetch && next < count) pending = start(next);
            return batch;
        }

        private FutureTask<Batch> start(int index) {
            FutureTask<Batch> task = new FutureTask<>(() -> fill(index));
            Thread.ofVirtual().name("batch-prefetch").start(task);
            return task;
        }

        private static Batch await(FutureTask<Batch> task) {
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException("preparing a batch failed", e.getCause());
            }
        }

        private Batch fill(int index) {
            Batch batch = buffers[index % 2];
            int start = index * batchSize;
            int size = Math.min(batchSize, data.size() - start);
            int sampleSize = batch.sampleSize();
            long[] shape = data.sampleShape();
            float[] images = batch.images();
            long[] labels = batch.labels();
            for (int i = 0; i < size; i++) {
                int sample = order[start + i];
                data.copySample(sample, images, i * sampleSize);
                labels[i] = data.label(sample);
                if (augmentation.changesSamples())
                    augmentation.apply(images, i * sampleSize, shape,
                            new SplittableRandom(Seeds.derive(seed, 0xA06L, epoch, start + i)));
            }
            batch.set(index, size);
            return batch;
        }
    }

    private int[] order(int epoch) {
        if (shuffle) return Shuffle.permutation(data.size(), new SplittableRandom(Seeds.derive(seed, 0x5A0FL, epoch)));
        return java.util.stream.IntStream.range(0, data.size()).toArray();
    }
}
