package neuroflux.stages.profile;

import java.util.SplittableRandom;
import neuroflux.stages.data.Dataset;

/**
 * Random inputs of a unit's shape for profiling: memory and time of a step do not depend on the values, so a
 * profile needs no real data. Values are standard normal, labels uniform, both from the seed.
 */
final class RandomBatches implements Dataset {
    private final long[] sampleShape;
    private final int classes;
    private final float[] values;
    private final int[] labels;

    RandomBatches(long[] sampleShape, int classes, int size, long seed) {
        this.sampleShape = sampleShape.clone();
        this.classes = classes;
        SplittableRandom random = new SplittableRandom(seed);
        long n = 1;
        for (long d : sampleShape) n *= d;
        this.values = new float[Math.toIntExact(n * size)];
        for (int i = 0; i < values.length; i++) values[i] = (float) gaussian(random);
        this.labels = new int[size];
        for (int i = 0; i < size; i++) labels[i] = random.nextInt(classes);
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The first {@code batch} samples laid out N x C x H x W. */
    float[] images() {
        return values;
    }

    long[] labelsAsLongs() {
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        return l;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        int n = sampleSize();
        System.arraycopy(values, index * n, dst, offset, n);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }
}
