package neuroflux.stages.plan;

/**
 * What the planner plans for.
 *
 * @param budgetBytes the memory budget
 * @param margin the share of the budget kept free for what the figures miss (allocator rounding, the runtime's own
 *        buffers); plans use at most {@link #usableBytes()}
 * @param batchCap the largest batch size any block gets
 * @param epochs training epochs per block
 * @param trainSamples samples in the training set
 * @param cacheSecondsPerByte time to write a byte of a block's output to the cache and to read it back once;
 *        charged once for the write and once per epoch for the next block's reads (0: cache traffic is free)
 * @param blockOverheadSeconds fixed cost of each block: building its training step, opening its sessions (0: none)
 * @param residentBytes memory the process holds above the level the budget counts from before any block trains:
 *        what loading the runtime and profiling left resident (measured once the profile is done), part of every
 *        block's peak as the verification and the run measure it (0: none)
 */
public record PlannerSettings(long budgetBytes, double margin, int batchCap, int epochs, long trainSamples,
                              double cacheSecondsPerByte, double blockOverheadSeconds, long residentBytes) {
    public static final double DEFAULT_MARGIN = 0.10;
    public static final int DEFAULT_BATCH_CAP = 512;

    public PlannerSettings {
        if (budgetBytes < 1) throw new IllegalArgumentException("the budget must be positive, not " + budgetBytes);
        if (!(margin >= 0 && margin < 1)) throw new IllegalArgumentException("the margin is in [0, 1), not " + margin);
        if (batchCap < 1) throw new IllegalArgumentException("the batch cap must be positive, not " + batchCap);
        if (epochs < 1) throw new IllegalArgumentException("epochs must be positive, not " + epochs);
        if (trainSamples < 1) throw new IllegalArgumentException("there must be training samples, not " + trainSamples);
        if (!(cacheSecondsPerByte >= 0) || !(blockOverheadSeconds >= 0)) {
            throw new IllegalArgumentException("cache and block costs must be non-negative");
        }
        if (residentBytes < 0) throw new IllegalArgumentException("resident bytes are non-negative: " + residentBytes);
    }

    /** Nothing resident before the blocks. */
    public PlannerSettings(long budgetBytes, double margin, int batchCap, int epochs, long trainSamples,
                           double cacheSecondsPerByte, double blockOverheadSeconds) {
        this(budgetBytes, margin, batchCap, epochs, trainSamples, cacheSecondsPerByte, blockOverheadSeconds, 0);
    }

    /** Default margin (10%), batch cap (512), and free cache traffic and blocks. */
    public static PlannerSettings of(long budgetBytes, int epochs, long trainSamples) {
        return new PlannerSettings(budgetBytes, DEFAULT_MARGIN, DEFAULT_BATCH_CAP, epochs, trainSamples, 0, 0);
    }

    public PlannerSettings withBudget(long bytes) {
        return new PlannerSettings(bytes, margin, batchCap, epochs, trainSamples, cacheSecondsPerByte,
                blockOverheadSeconds, residentBytes);
    }

    public PlannerSettings withMargin(double newMargin) {
        return new PlannerSettings(budgetBytes, newMargin, batchCap, epochs, trainSamples, cacheSecondsPerByte,
                blockOverheadSeconds, residentBytes);
    }

    public PlannerSettings withBatchCap(int cap) {
        return new PlannerSettings(budgetBytes, margin, cap, epochs, trainSamples, cacheSecondsPerByte,
                blockOverheadSeconds, residentBytes);
    }

    public PlannerSettings withCacheSecondsPerByte(double seconds) {
        return new PlannerSettings(budgetBytes, margin, batchCap, epochs, trainSamples, seconds,
                blockOverheadSeconds, residentBytes);
    }

    public PlannerSettings withBlockOverheadSeconds(double seconds) {
        return new PlannerSettings(budgetBytes, margin, batchCap, epochs, trainSamples, cacheSecondsPerByte,
                seconds, residentBytes);
    }

    /** These settings with {@code bytes} resident before any block (negative readings count as none). */
    public PlannerSettings withResidentBytes(long bytes) {
        return new PlannerSettings(budgetBytes, margin, batchCap, epochs, trainSamples, cacheSecondsPerByte,
                blockOverheadSeconds, Math.max(0, bytes));
    }

    /** The bytes a plan may use: the budget less the margin, rounded down. */
    public long usableBytes() {
        return usableBytes(budgetBytes, margin);
    }

    static long usableBytes(long budgetBytes, double margin) {
        return (long) Math.floor(budgetBytes * (1 - margin));
    }
}
