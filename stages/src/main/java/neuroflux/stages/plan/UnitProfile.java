package neuroflux.stages.plan;

/**
 * What the planner needs to know of one unit (with its head) to place it in a block. How the figures were
 * obtained (predicted by a static plan, or measured) is the profiler's business; the planner only combines them.
 *
 * @param name the unit's name, for reports
 * @param peak the peak of the unit's training step trained alone, against the batch size: its parameters, their
 *        gradients and optimizer state, its head's, the forward activations of unit and head, gradients of
 *        activations, backward temporaries, labels, and its own input batch
 * @param held what the unit keeps while the other units of its block train, against the batch size: its session,
 *        parameters and optimizer state, and whatever its runs leave allocated until the session closes; its own
 *        input batch not included (in a block only the block's input batch is held, and the planner places it)
 * @param inputBytesPerSample bytes per sample of the unit's input batch
 * @param outputBytesPerSample bytes per sample of the unit's output: what the next unit reads, and what the cache
 *        holds when a block ends with this unit
 * @param passedOutputBytesPerSample bytes per sample by which {@code peak} is higher because the step it was
 *        taken from passed the unit's output on to a next unit (a step output, alive to the step's end): a unit that
 *        ends its block does not, and its peak there is lower by this much (0 where the figures were taken without
 *        the output)
 * @param trainTime time per sample of a training step
 * @param cacheTime time per sample of the caching (inference) pass
 */
public record UnitProfile(String name, MemoryCurve peak, MemoryCurve held, long inputBytesPerSample,
                          long outputBytesPerSample, long passedOutputBytesPerSample, StepTime trainTime,
                          StepTime cacheTime) {
    public UnitProfile {
        if (peak == null || held == null) throw new IllegalArgumentException("unit '" + name + "' needs its memory");
        if (inputBytesPerSample < 0 || outputBytesPerSample < 0 || passedOutputBytesPerSample < 0) {
            throw new IllegalArgumentException("unit '" + name + "' has a negative memory figure");
        }
        if (trainTime == null || cacheTime == null) {
            throw new IllegalArgumentException("unit '" + name + "' needs its training and caching step times");
        }
    }

    /** A unit whose peak was taken without a passed-on output. */
    public UnitProfile(String name, MemoryCurve peak, MemoryCurve held, long inputBytesPerSample,
                       long outputBytesPerSample, StepTime trainTime, StepTime cacheTime) {
        this(name, peak, held, inputBytesPerSample, outputBytesPerSample, 0, trainTime, cacheTime);
    }

    /**
     * A unit whose memory is one line: {@code fixedBytes} (parameters, their gradients and optimizer state, running
     * statistics, the same for the head) all held while the block's other units train, and
     * {@code activationBytesPerSample} per sample at the step's peak beyond its own input batch (forward
     * activations of unit and head, gradients of activations, backward temporaries, labels), none of it held.
     */
    public UnitProfile(String name, long fixedBytes, long inputBytesPerSample, long activationBytesPerSample,
                       long outputBytesPerSample, StepTime trainTime, StepTime cacheTime) {
        this(name, MemoryCurve.line(fixedBytes, checked(name, inputBytesPerSample, activationBytesPerSample)),
                MemoryCurve.line(fixedBytes, 0), inputBytesPerSample, outputBytesPerSample, 0, trainTime, cacheTime);
    }

    private static long checked(String name, long in, long act) {
        if (in < 0 || act < 0) throw new IllegalArgumentException("unit '" + name + "' has a negative memory figure");
        return Math.addExact(in, act);
    }

    /** The memory of this unit trained alone at batch size {@code batch}. */
    public long aloneBytes(long batch) {
        return peak.at(batch);
    }

    /**
     * The peak of the unit's step where it ends its block, so passes no output on: its peak less the passed output,
     * never below what it holds.
     */
    public long endOfBlockPeakBytes(long batch) {
        long less = Math.subtractExact(peak.at(batch), Math.multiplyExact(batch, passedOutputBytesPerSample));
        return Math.max(held.at(batch), less);
    }

    /** The unit's memory that does not grow with the batch: its peak extended to batch size 0. */
    public long fixedBytes() {
        return peak.at(0);
    }

    /** Bytes per sample of the step beyond its own input batch, at the top of its figures (the last segment's). */
    public long activationBytesPerSample() {
        return Math.max(0, Math.max(peak.lastSlope(), peak.slopeBeyond()) - inputBytesPerSample);
    }
}
