package neuroflux.stages.data;

/**
 * One batch of samples: {@link #size()} samples laid out N x C x H x W in {@link #images()} and their labels in
 * {@link #labels()}. The arrays are reused for later batches and may be longer than the batch (the last batch of an
 * evaluation epoch is partial): read only the first {@code size()} samples.
 */
public final class Batch {
    private final long[] sampleShape;
    private final int sampleSize;
    private final float[] images;
    private final long[] labels;
    private int size;
    private int index;

    Batch(long[] sampleShape, int sampleSize, int capacity) {
        this.sampleShape = sampleShape.clone();
        this.sampleSize = sampleSize;
        this.images = new float[Math.multiplyExact(capacity, sampleSize)];
        this.labels = new long[capacity];
    }

    /** Samples, N x C x H x W; only the first size() x C x H x W values belong to this batch. */
    public float[] images() {
        return images;
    }

    /** Labels as int64, as ONNX's losses take them; only the first size() belong to this batch. */
    public long[] labels() {
        return labels;
    }

    /** Number of samples in this batch. */
    public int size() {
        return size;
    }

    /** Position of this batch in its epoch, from 0. */
    public int index() {
        return index;
    }

    /** The most samples a batch holds. */
    public int capacity() {
        return labels.length;
    }

    /** This batch's tensor shape: size x C x H x W. */
    public long[] shape() {
        return new long[] {size, sampleShape[0], sampleShape[1], sampleShape[2]};
    }

    int sampleSize() {
        return sampleSize;
    }

    void set(int index, int size) {
        this.index = index;
        this.size = size;
    }
}
