package neuroflux.pipeline.baselines;

import java.util.function.IntFunction;
import neuroflux.pipeline.Planning;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;

/**
 * A batch size checked by measurement, as compress checks its blocks ({@link Planning#verify}): a few real steps at
 * the planned batch run inside the meter, and where the peak exceeds the usable budget the batch is lowered in
 * proportion to the measured bytes per sample above the fixed bytes, and measured again.
 *
 * @param planned the batch the profile predicted
 * @param batch the batch that training uses
 * @param peak the measured peak at that batch
 */
public record VerifiedBatch(int planned, int batch, PeakMeasurement peak) {
    /**
     * @param stepsAt the work of a few training steps at a batch size (compiling, opening sessions, running)
     * @param fixedBytes the profile's batch-independent bytes, to extrapolate a lower batch from a measured peak
     */
    public static VerifiedBatch verify(int planned, IntFunction<Runnable> stepsAt, long fixedBytes, long usableBytes,
                                       PeakMemoryMeter meter) {
        int batch = planned;
        PeakMeasurement peak = measure(stepsAt, batch, meter);
        for (int attempt = 0; attempt < Planning.CALIBRATION_ATTEMPTS && peak.available()
                && peak.bytes() > usableBytes && batch > 1; attempt++) {
            double perSample = Math.max(1, (peak.bytes() - fixedBytes) / (double) batch);
            int lower = (int) Math.floor((usableBytes - fixedBytes) / perSample);
            batch = Math.max(1, Math.min(batch - 1, lower));
            peak = measure(stepsAt, batch, meter);
        }
        return new VerifiedBatch(planned, batch, peak);
    }

    private static PeakMeasurement measure(IntFunction<Runnable> stepsAt, int batch, PeakMemoryMeter meter) {
        Runnable work = stepsAt.apply(batch); // compiled outside the meter, as compress compiles before measuring
        PeakMeasurement m = meter.measure(work);
        System.gc(); // the steps' direct buffers go now, not into the next measurement
        return m;
    }
}
