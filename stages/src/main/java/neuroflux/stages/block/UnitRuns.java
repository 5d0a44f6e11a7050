package neuroflux.stages.block;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts how often each unit ran in this process, in a training step or in an inference batch: how a test sees
 * that a later block reads the cache instead of running the blocks before it again.
 */
public final class UnitRuns {
    private static final ConcurrentHashMap<Integer, AtomicLong> RUNS = new ConcurrentHashMap<>();

    private UnitRuns() {}

    static void record(int unit) {
        RUNS.computeIfAbsent(unit, k -> new AtomicLong()).incrementAndGet();
    }

    /** Runs of unit k (training steps and inference batches) since the last reset. */
    public static long of(int unit) {
        AtomicLong n = RUNS.get(unit);
        return n == null ? 0 : n.get();
    }

    public static void reset() {
        RUNS.clear();
    }
}
