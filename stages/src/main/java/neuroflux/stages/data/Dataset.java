package neuroflux.stages.data;

/**
 * Labelled images held as float tensors (already normalised), one sample of shape {@link #sampleShape()} each.
 * Implementations must be safe to read from several threads and cheap to index randomly: trainers draw shuffled
 * batches by copying samples into a batch buffer.
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** Shape of one sample, C x H x W. */
    long[] sampleShape();

    /** Number of classes; labels are 0 .. classes-1. */
    int classes();

    /** Copies sample {@code index} into {@code dst} starting at {@code offset} (C*H*W floats). */
    void copySample(int index, float[] dst, int offset);

    int label(int index);

    default int sampleSize() {
        long n = 1;
        for (long d : sampleShape()) n *= d;
        return Math.toIntExact(n);
    }
}
