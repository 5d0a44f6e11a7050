package neuroflux.stages.memory;

import java.util.List;

/**
 * A measured peak, or the reason there is none. Never an estimate: where the method cannot measure, {@link #bytes()}
 * refuses rather than return a made-up figure.
 *
 * @param available whether a figure was measured
 * @param bytes the peak growth of memory during the work, in bytes (meaningful only when available)
 * @param method how the figure was obtained, or why it could not be
 * @param notes what may make the figure less exact (a Java heap not pinned, for one)
 */
public record PeakMeasurement(boolean available, long bytes, String method, List<String> notes) {
    public PeakMeasurement {
        notes = List.copyOf(notes);
    }

    public static PeakMeasurement measured(long bytes, String method, List<String> notes) {
        return new PeakMeasurement(true, bytes, method, notes);
    }

    public static PeakMeasurement unavailable(String reason) {
        return new PeakMeasurement(false, 0, reason, List.of());
    }

    /** The measured bytes. @throws IllegalStateException where nothing could be measured */
    @Override
    public long bytes() {
        if (!available) throw new IllegalStateException("no memory figure was measured: " + method);
        return bytes;
    }

    /** One line for a report: the figure with how it was measured, or that it was not. */
    public String describe() {
        if (!available) return "not measured: " + method;
        String s = "measured " + Budget.format(bytes) + " (" + method + ")";
        return notes.isEmpty() ? s : s + "; " + String.join("; ", notes);
    }

    @Override
    public String toString() {
        return describe();
    }
}
