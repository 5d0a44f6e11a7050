package neuroflux.stages.plan;

import java.util.Arrays;

/**
 * Memory as a function of the batch size, straight between measured points: {@code bytes[i]} at
 * {@code batches[i]}, interpolated in between, the first two points' line below the first (one point: the slope
 * beyond, backwards), and beyond the last point {@code slopeBeyond} bytes per sample more. A step's peak is not
 * one straight line in the batch size: it is the larger of a part dominated by fixed memory (the optimizer update,
 * at small batches) and a part that grows with the activations (the backward pass, at large ones), so a line
 * through two small batch sizes can fall short by a quarter at a large one (VGG-11's fifth unit at 512: measured
 * 21% above the line through 4 and 256). Measured at batch sizes that bracket those the planner can choose, the
 * curve stays within the measurements' own spread there.
 *
 * <p>The figures never fall with the batch size (a lower reading at a larger batch is noise and is raised to the
 * one before), so the largest batch under a budget can be found by bisection.
 *
 * @param batches ascending, distinct, non-negative batch sizes
 * @param bytes the memory at each
 * @param slopeBeyond bytes per sample beyond the last point
 */
public record MemoryCurve(int[] batches, long[] bytes, long slopeBeyond) {
    public MemoryCurve {
        if (batches.length == 0 || batches.length != bytes.length) {
            throw new IllegalArgumentException("a curve needs at least one point, one figure per batch size");
        }
        if (slopeBeyond < 0) throw new IllegalArgumentException("memory does not fall with the batch size");
        batches = batches.clone();
        bytes = bytes.clone();
        for (int i = 0; i < batches.length; i++) {
            if (batches[i] < 0 || (i > 0 && batches[i] <= batches[i - 1])) {
                throw new IllegalArgumentException("batch sizes must be non-negative and ascend: "
                        + Arrays.toString(batches));
            }
            if (bytes[i] < 0) throw new IllegalArgumentException("negative memory figure " + bytes[i]);
            if (i > 0) bytes[i] = Math.max(bytes[i], bytes[i - 1]);
        }
    }

    /** A straight line: {@code fixed + b · perSample}. */
    public static MemoryCurve line(long fixedBytes, long bytesPerSample) {
        return new MemoryCurve(new int[] {0}, new long[] {fixedBytes}, bytesPerSample);
    }

    public static MemoryCurve line(MemoryLine line) {
        return line(line.fixedBytes(), line.bytesPerSample());
    }

    /** The memory at a batch size, rounded up. */
    public long at(long batch) {
        int n = batches.length;
        if (batch >= batches[n - 1]) return Math.addExact(bytes[n - 1], Math.multiplyExact(batch - batches[n - 1],
                slopeBeyond));
        if (n == 1) return Math.max(0, bytes[0] - (batches[0] - batch) * slopeBeyond);
        int i = 1;
        while (i < n - 1 && batches[i] <= batch) i++;
        // the segment from point i-1 to point i (also extended below the first point)
        long rise = bytes[i] - bytes[i - 1];
        long run = batches[i] - batches[i - 1];
        long offset = batch - batches[i - 1];
        long value = bytes[i - 1] + (offset >= 0 ? Math.ceilDiv(rise * offset, run) : -((rise * -offset) / run));
        return Math.max(0, value);
    }

    /** Bytes per sample of the last segment (the slope beyond the last point where there is only one). */
    public long lastSlope() {
        int n = batches.length;
        if (n == 1) return slopeBeyond;
        return Math.ceilDiv(bytes[n - 1] - bytes[n - 2], (long) (batches[n - 1] - batches[n - 2]));
    }

    /** This curve with {@code bytesPerSample · b} taken away, never below zero nor falling (a step's own input). */
    public MemoryCurve minusPerSample(long bytesPerSample) {
        long[] less = new long[bytes.length];
        for (int i = 0; i < less.length; i++) less[i] = Math.max(0, bytes[i] - bytesPerSample * batches[i]);
        return new MemoryCurve(batches, less, Math.max(0, slopeBeyond - bytesPerSample));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryCurve c && Arrays.equals(batches, c.batches) && Arrays.equals(bytes, c.bytes)
                && slopeBeyond == c.slopeBeyond;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(batches) + Arrays.hashCode(bytes)) + Long.hashCode(slopeBeyond);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MemoryCurve[");
        for (int i = 0; i < batches.length; i++) s.append(batches[i]).append(": ").append(bytes[i]).append(", ");
        return s.append("then +").append(slopeBeyond).append("/sample]").toString();
    }
}
