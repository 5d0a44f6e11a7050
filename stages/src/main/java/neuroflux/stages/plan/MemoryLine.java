package neuroflux.stages.plan;

/**
 * A step's memory as a line in the batch size, {@code fixed + b · perSample}: how a profiler turns the peaks of a
 * unit's step at two batch sizes (predicted by static plans, or measured) into the fixed bytes and bytes per sample
 * the planner needs. The figures keep whatever the peaks were: a line fitted to predictions is a prediction.
 *
 * @param fixedBytes the part that does not grow with the batch
 * @param bytesPerSample the part per sample
 */
public record MemoryLine(long fixedBytes, long bytesPerSample) {
    public MemoryLine {
        if (fixedBytes < 0 || bytesPerSample < 0) {
            throw new IllegalArgumentException("memory figures are non-negative: " + fixedBytes + ", " + bytesPerSample);
        }
    }

    /**
     * The line through the peaks at two batch sizes, never below either: the slope is rounded up and the intercept
     * taken from the smaller batch. Where noise makes the slope negative it is taken as zero (the line is then flat
     * at the larger peak), and so is a negative intercept.
     */
    public static MemoryLine fit(int batchA, long peakBytesA, int batchB, long peakBytesB) {
        if (batchA < 1 || batchB < 1 || batchA == batchB) {
            throw new IllegalArgumentException("two different positive batch sizes are needed, not " + batchA
                    + " and " + batchB);
        }
        if (batchA > batchB) return fit(batchB, peakBytesB, batchA, peakBytesA);
        long perSample = Math.max(0, Math.ceilDiv(peakBytesB - peakBytesA, (long) (batchB - batchA)));
        long fixed = Math.max(0, Math.max(peakBytesA - batchA * perSample, peakBytesB - batchB * perSample));
        return new MemoryLine(fixed, perSample);
    }

    public long at(long batch) {
        return fixedBytes + batch * bytesPerSample;
    }
}
