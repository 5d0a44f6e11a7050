package neuroflux.pipeline.cache;

import neuroflux.stages.cache.CachedDataset;
import neuroflux.stages.data.Dataset;

/**
 * A cached block output read while memory is measured: after every {@code releaseEvery} samples read, the cache
 * file's pages are dropped from the process's resident memory. Memory-mapped pages a reader has touched count in
 * the resident set (and so in a measured peak) until the kernel needs them back, so a later block that reads a
 * cache of hundreds of megabytes would otherwise be charged for all of it; with this, for about one batch.
 */
public final class ResidentBoundedCache implements Dataset {
    private final CachedDataset cache;
    private final int releaseEvery;
    private int sinceRelease;

    public ResidentBoundedCache(CachedDataset cache, int releaseEvery) {
        this.cache = cache;
        this.releaseEvery = Math.max(1, releaseEvery);
    }

    @Override
    public int size() {
        return cache.size();
    }

    @Override
    public long[] sampleShape() {
        return cache.sampleShape();
    }

    @Override
    public int classes() {
        return cache.classes();
    }

    @Override
    public synchronized void copySample(int index, float[] dst, int offset) {
        cache.copySample(index, dst, offset);
        if (++sinceRelease >= releaseEvery) {
            cache.releaseResidentPages();
            sinceRelease = 0;
        }
    }

    @Override
    public int label(int index) {
        return cache.label(index);
    }
}
