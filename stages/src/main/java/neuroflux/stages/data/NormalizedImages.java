package neuroflux.stages.data;

/**
 * A split of a source's images: a subset of its samples, chosen by index, turned into normalised floats when
 * copied. Immutable, so any number of threads may read it.
 */
public final class NormalizedImages implements Dataset {
    private final RawImages images;
    private final int[] indices;
    private final ChannelNormalization normalization;
    private final float[][] tables;

    NormalizedImages(RawImages images, int[] indices, ChannelNormalization normalization) {
        this.images = images;
        this.indices = indices.clone();
        this.normalization = normalization;
        this.tables = normalization.lookupTables();
    }

    /** The statistics these samples are normalised with (those of the training split). */
    public ChannelNormalization normalization() {
        return normalization;
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public long[] sampleShape() {
        return images.shape();
    }

    @Override
    public int classes() {
        return images.classes();
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        int plane = images.height() * images.width();
        int src = indices[index] * images.sampleSize();
        byte[] pixels = images.pixels();
        for (int ch = 0; ch < images.channels(); ch++) {
            float[] table = tables[ch];
            for (int p = 0; p < plane; p++) dst[offset++] = table[pixels[src++] & 0xFF];
        }
    }

    /** Which sample of the source sample {@code index} is (tests check that splits are disjoint with it). */
    int sourceIndex(int index) {
        return indices[index];
    }

    /** The source's images this split draws from. */
    RawImages source() {
        return images;
    }

    @Override
    public int label(int index) {
        return images.labels()[indices[index]];
    }
}
