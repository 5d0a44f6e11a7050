package neuroflux.stages.data;

import neuroflux.onnx.BadInputException;

/**
 * Images as a source delivers them: one byte per pixel and channel, sample after sample, each laid out C x H x W.
 * One byte keeps CIFAR and Fashion-MNIST small in memory; samples become normalised floats only when copied.
 */
record RawImages(byte[] pixels, int[] labels, int channels, int height, int width, int classes) {
    RawImages {
        if ((long) labels.length * channels * height * width != pixels.length)
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length + " pixel bytes of "
                    + channels + "x" + height + "x" + width);
    }

    int size() {
        return labels.length;
    }

    int sampleSize() {
        return channels * height * width;
    }

    long[] shape() {
        return new long[] {channels, height, width};
    }

    /** Fails naming {@code what} when a label is outside 0 .. classes-1 (a corrupt or mismatched file). */
    RawImages checkLabels(String what) {
        for (int i = 0; i < labels.length; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new BadInputException(what + ": sample " + i + " has label " + labels[i] + ", outside 0.."
                        + (classes - 1));
        return this;
    }

    /** Joins sets of equal shape in order (the five CIFAR-10 training batches). */
    static RawImages concat(java.util.List<RawImages> parts) {
        RawImages first = parts.getFirst();
        int n = parts.stream().mapToInt(RawImages::size).sum();
        byte[] pixels = new byte[Math.multiplyExact(n, first.sampleSize())];
        int[] labels = new int[n];
        int at = 0;
        for (RawImages p : parts) {
            System.arraycopy(p.pixels, 0, pixels, at * first.sampleSize(), p.pixels.length);
            System.arraycopy(p.labels, 0, labels, at, p.size());
            at += p.size();
        }
        return new RawImages(pixels, labels, first.channels, first.height, first.width, first.classes);
    }
}
