package neuroflux.pipeline.baselines;

import java.util.List;
import java.util.function.IntFunction;

import neuroflux.pipeline.BatchSearch;
import neuroflux.stages.memory.Budget;
import neuroflux.pipeline.Planning;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;

/**
 * A batch size checked by measurement, as compress checks its blocks ({@link Planning#verify}): a few real steps at
 * the planned batch run inside the meter, and where the peak exceeds the usable budget the largest batch that fits
 * is searched for by measuring ({@link BatchSearch}).
 *
 * @param planned the batch the profile predicted
 * @param batch the batch that training uses
 * @param peak the measured peak at that batch
 */
public record VerifiedBatch(int planned, int batch, PeakMeasurement peak, List<BatchSearch.Measured> measurements) {
    public VerifiedBatch {
        measurements = List.copyOf(measurements);
    }

    /** A batch that was not measured (given on the command line). */
    public VerifiedBatch(int planned, int batch, PeakMeasurement peak) {
        this(planned, batch, peak, List.of());
    }

    /**
     * @param stepsAt the work of a few training steps at a batch size (compiling, opening sessions, running)
     * @param fixedBytes the profile's batch-independent bytes, to extrapolate a lower batch from a measured peak
     */
    public static VerifiedBatch verify(int planned, IntFunction<Runnable> stepsAt, long fixedBytes, long usableBytes,
                                       PeakMemoryMeter meter) {
        BatchSearch.Result r = BatchSearch.search(planned, b -> measure(stepsAt, b, meter), fixedBytes, usableBytes,
                BatchSearch.MAX_MEASUREMENTS);
        return new VerifiedBatch(planned, r.batch(), r.peak(), r.measurements());
    }

    /** "batch 11: 188.2 MiB, batch 4: 140.0 MiB, ..." for the log. */
    public String describeMeasurements() {
        StringBuilder s = new StringBuilder();
        for (BatchSearch.Measured m : measurements) {
            if (!s.isEmpty()) s.append(", ");
            s.append("batch ").append(m.batch()).append(": ")
                    .append(m.peak().available() ? Budget.format(m.peak().bytes()) : "not measured");
        }
        return s.toString();
    }

    private static PeakMeasurement measure(IntFunction<Runnable> stepsAt, int batch, PeakMemoryMeter meter) {
        Runnable work = stepsAt.apply(batch); // compiled outside the meter, as compress compiles before measuring
        PeakMeasurement m = meter.measure(work);
        System.gc(); // the steps' direct buffers go now, not into the next measurement
        return m;
    }
}
