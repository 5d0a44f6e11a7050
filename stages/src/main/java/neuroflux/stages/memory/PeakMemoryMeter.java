package neuroflux.stages.memory;

import neuroflux.onnx.runtime.Device;

/**
 * Measures how much memory some work needs at its peak, on the device where it runs. The host (CPU) meter is
 * {@link MemoryProbe}. A device meter is the extension point for CUDA: it would read the device memory held before
 * and at the peak of the work (through NVML's per-process usage or {@code cudaMemGetInfo} polled while the work
 * runs, since CUDA keeps no high-water mark per process), with ONNX Runtime's CUDA arena capped by the
 * {@code gpu_mem_limit} provider option ({@code RuntimeOptions.gpuMemLimitBytes}) so that the arena does not grow
 * past the budget.
 */
public interface PeakMemoryMeter {
    /** Whether this meter can measure here, and if not why. */
    Availability availability();

    /**
     * Runs the work and measures its peak. The work always runs, also where nothing can be measured: the caller's
     * training steps are not skipped, the measurement then says it is unavailable.
     */
    PeakMeasurement measure(Runnable work);

    /**
     * A meter whose figures count from the level memory is at now, at rest, rather than from the level just before
     * each piece of work. Memory an earlier piece kept (freed by a library but not returned to the system) is then
     * in every later figure instead of hiding in its starting level, so the figures can only err high. Take it
     * before the first of several pieces of work whose peaks must each be an upper bound (the blocks of a run).
     * This default returns the meter itself: only a meter that reads a process-wide level needs the anchor.
     */
    default PeakMemoryMeter anchoredAtRest() {
        return this;
    }

    /**
     * The memory held now, in this meter's accounting, or -1 where it cannot be read. The difference of two
     * readings is what was allocated and kept in between (a unit's state and session while other units of its
     * block train); an anchored meter's reading is what is held above its resting level (what earlier work left
     * resident, which every later figure of the meter contains). This default cannot read it.
     */
    default long levelBytes() {
        return -1;
    }

    record Availability(boolean available, String reason) {
        public static Availability yes() {
            return new Availability(true, "");
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    /** The meter for a device: the host probe for the CPU; for CUDA, a meter that says it cannot measure yet. */
    static PeakMemoryMeter forDevice(Device device) {
        return switch (device) {
            case CPU -> MemoryProbe.host();
            case CUDA -> new UnavailableMeter("device memory is not measured yet (no CUDA meter: it would read the"
                    + " device memory held around the work; ONNX Runtime's gpu_mem_limit caps the CUDA arena)");
        };
    }

    /** A meter that runs the work and reports that it could not measure, saying why. */
    record UnavailableMeter(String reason) implements PeakMemoryMeter {
        @Override
        public Availability availability() {
            return Availability.no(reason);
        }

        @Override
        public PeakMeasurement measure(Runnable work) {
            work.run();
            return PeakMeasurement.unavailable(reason);
        }
    }
}
