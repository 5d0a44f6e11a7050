package neuroflux.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import neuroflux.stages.memory.PeakMeasurement;

/**
 * The largest batch whose measured peak fits the usable budget, found by measuring: the planned batch first; where
 * it is over, a lower one extrapolated from the profile's fixed bytes; then, between the largest batch measured
 * within the budget and the smallest measured over it, the batch where the line through those two measurements
 * meets the budget, until they are adjacent or the measurements run out.
 *
 * <p>Why not stop at the first batch that fits: the profile's fixed bytes can be short of what a run really holds at
 * rest, and then the extrapolation gives every sample the difference and lands well below the largest batch that
 * fits (vgg11's backprop at 191.5 MiB: planned 11, measured over, extrapolated to 4, which fit; 8 fits too). Two
 * measured points need no profile.
 */
public final class BatchSearch {
    /** One batch measured and its peak. */
    public record Measured(int batch, PeakMeasurement peak) {}

    /**
     * @param batch the batch to train at: the largest measured within the budget, or, where none was, the last one
     *              measured (the smallest tried, over the budget)
     * @param measurements every batch measured, in order, the planned one first
     */
    public record Result(int batch, PeakMeasurement peak, List<Measured> measurements) {
        public Result {
            measurements = List.copyOf(measurements);
        }
    }

    /** Measurements of one block or model at most; each is a few real steps. */
    public static final int MAX_MEASUREMENTS = 6;

    private BatchSearch() {}

    /**
     * @param planned the batch the profile predicted
     * @param measure a few real steps at a batch, measured
     * @param fixedBytes the profile's bytes at batch 0, for the first step down
     * @param usableBytes the budget less its margin
     */
    public static Result search(int planned, IntFunction<PeakMeasurement> measure, long fixedBytes, long usableBytes,
                                int maxMeasurements) {
        if (planned < 1) throw new IllegalArgumentException("planned batch " + planned + " < 1");
        List<Measured> all = new ArrayList<>();
        Measured first = new Measured(planned, measure.apply(planned));
        all.add(first);
        if (!first.peak().available() || first.peak().bytes() <= usableBytes) {
            return new Result(planned, first.peak(), all);
        }
        Measured over = first; // the smallest batch measured over the budget
        Measured overBefore = null; // the one over it before that, for a line through two measurements
        Measured within = null; // the largest batch measured within it
        while (all.size() < maxMeasurements) {
            int next;
            if (within == null) {
                if (over.batch() == 1) break;
                int guess = overBefore == null ? extrapolate(over, fixedBytes, usableBytes)
                        : meetBudget(over, overBefore, usableBytes);
                next = clamp(guess, 1, over.batch() - 1);
            } else {
                if (over.batch() - within.batch() <= 1) break;
                next = clamp(meetBudget(within, over, usableBytes), within.batch() + 1, over.batch() - 1);
            }
            Measured m = new Measured(next, measure.apply(next));
            all.add(m);
            if (!m.peak().available()) return new Result(next, m.peak(), all);
            if (m.peak().bytes() <= usableBytes) within = m;
            else {
                overBefore = over;
                over = m;
            }
        }
        Measured chosen = within != null ? within : over;
        return new Result(chosen.batch(), chosen.peak(), all);
    }

    /** Bytes per sample as the measured peak above the profile's fixed bytes. */
    private static int extrapolate(Measured over, long fixedBytes, long usableBytes) {
        double perSample = Math.max(1, (over.peak().bytes() - fixedBytes) / (double) over.batch());
        return (int) Math.floor((usableBytes - fixedBytes) / perSample);
    }

    /**
     * Where the line through two measurements ({@code low} at the smaller batch) meets the budget; their midpoint
     * where the peak does not rise between them (noise).
     */
    static int meetBudget(Measured low, Measured high, long usableBytes) {
        double slope = (high.peak().bytes() - low.peak().bytes()) / (double) (high.batch() - low.batch());
        if (slope <= 0) return (low.batch() + high.batch()) / 2;
        return low.batch() + (int) Math.floor((usableBytes - low.peak().bytes()) / slope);
    }

    private static int clamp(int value, int low, int high) {
        return Math.max(low, Math.min(high, value));
    }
}
