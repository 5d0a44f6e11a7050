package neuroflux.pipeline.cache;

import java.util.List;
import java.util.SplittableRandom;
import neuroflux.stages.data.Augmentation;
import neuroflux.stages.data.Dataset;

/**
 * Augmentation when later blocks read a cache (option {@code --augment-views K}).
 *
 * <p>The first block reads the data set itself and gets a fresh random crop and flip of every image every epoch.
 * A later block reads the cached output of the blocks before it, computed once, so on its own it would see every
 * image un-augmented. With K views, the first block's caching pass writes K augmented versions of each training
 * image ({@link #view}: view v of image i is augmented by a generator seeded by (seed, v, i)), each later block's
 * caching pass carries all K through, and each epoch a later block trains on one view of each image, chosen by
 * (seed, epoch, image) ({@link #epochMix}). The cost: K times the training cache on disk and K caching passes over
 * the training set per block; the gain: later blocks see K variants of each image instead of one.
 */
public final class AugmentedViews {
    private AugmentedViews() {}

    /** View {@code v} of a data set: every sample augmented by a generator seeded by (seed, v, index). */
    public static Dataset view(Dataset data, Augmentation augmentation, long seed, int v) {
        return new Dataset() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public long[] sampleShape() {
                return data.sampleShape();
            }

            @Override
            public int classes() {
                return data.classes();
            }

            @Override
            public void copySample(int index, float[] dst, int offset) {
                data.copySample(index, dst, offset);
                augmentation.apply(dst, offset, data.sampleShape(), random(seed, 0x5EE_0001L + v, index));
            }

            @Override
            public int label(int index) {
                return data.label(index);
            }
        };
    }

    /** For one epoch, each sample taken from one of the views, chosen by (seed, epoch, index). */
    public static Dataset epochMix(List<? extends Dataset> views, long seed, int epoch) {
        Dataset first = views.getFirst();
        return new Dataset() {
            @Override
            public int size() {
                return first.size();
            }

            @Override
            public long[] sampleShape() {
                return first.sampleShape();
            }

            @Override
            public int classes() {
                return first.classes();
            }

            @Override
            public void copySample(int index, float[] dst, int offset) {
                views.get(choice(index)).copySample(index, dst, offset);
            }

            @Override
            public int label(int index) {
                return first.label(index);
            }

            private int choice(int index) {
                return random(seed, 0x5EE_1000L + epoch, index).nextInt(views.size());
            }
        };
    }

    private static SplittableRandom random(long seed, long salt, int index) {
        return new SplittableRandom(new SplittableRandom(seed ^ (salt * 0x9E3779B97F4A7C15L)).split().nextLong()
                + index * 0xBF58476D1CE4E5B9L);
    }
}
