package neuroflux.stages.data;

import java.util.Arrays;

/**
 * Per-channel mean and standard deviation of the training samples, in pixel units (0..255), that every split is
 * normalised with: a normalised value is {@code (pixel - mean[c]) / std[c]}. A model trained on these samples
 * expects its inputs normalised the same way.
 */
public record ChannelNormalization(double[] mean, double[] std) {
    public ChannelNormalization {
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * The exact statistics of the samples {@code indices} of {@code images}: pixel sums are integers, so they are
     * summed exactly in longs and only divided in double. A channel that is constant gets std 1 (no division by 0).
     */
    static ChannelNormalization of(RawImages images, int[] indices) {
        int c = images.channels();
        int plane = images.height() * images.width();
        long[] sum = new long[c];
        long[] sumSquares = new long[c];
        byte[] pixels = images.pixels();
        for (int index : indices) {
            int base = index * images.sampleSize();
            for (int ch = 0; ch < c; ch++) {
                long s = 0;
                long q = 0;
                for (int p = base + ch * plane, end = p + plane; p < end; p++) {
                    int v = pixels[p] & 0xFF;
                    s += v;
                    q += v * v;
                }
                sum[ch] += s;
                sumSquares[ch] += q;
            }
        }
        double count = (double) indices.length * plane;
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = sum[ch] / count;
            // variance = E[x^2] - E[x]^2 from exact integer sums; no catastrophic cancellation beyond double rounding
            double variance = Math.max(0, sumSquares[ch] / count - mean[ch] * mean[ch]);
            std[ch] = variance > 0 ? Math.sqrt(variance) : 1;
        }
        return new ChannelNormalization(mean, std);
    }

    /** For each channel, the normalised float of every byte value: copying a sample is then one lookup a pixel. */
    float[][] lookupTables() {
        float[][] tables = new float[mean.length][256];
        for (int ch = 0; ch < mean.length; ch++)
            for (int v = 0; v < 256; v++) tables[ch][v] = (float) ((v - mean[ch]) / std[ch]);
        return tables;
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
