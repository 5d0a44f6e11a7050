package neuroflux.stages.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the peak host memory of some work on Linux, from the kernel's accounting of this process.
 *
 * <p>Method: return freed C heap memory to the kernel ({@code malloc_trim}, where the C library has it) so that
 * reused memory shows as new pages; reset the process's resident high-water mark by writing {@code 5} to
 * {@code /proc/self/clear_refs}; read the resident set {@code VmRSS} from {@code /proc/self/status}; run the work;
 * read the high-water mark {@code VmHWM}. The figure is {@code VmHWM} after minus {@code VmRSS} before: the most
 * memory the work added at any moment, whoever allocated it (ONNX Runtime's arena, direct buffers, the JVM).
 *
 * <p>So that the JVM's own growth does not drift into the figure, run it with {@code -Xms} equal to {@code -Xmx}
 * and {@code -XX:+AlwaysPreTouch}: the heap is then committed and touched before any measurement. Where it is not
 * ({@link HeapState#pinned()}), the measurement says so in its notes, and also when the heap committed more memory
 * while the work ran. What the work allocates on the Java heap is not in the figure only when the heap is pinned.
 *
 * <p>Where {@code /proc/self/clear_refs} cannot be written (not Linux, an old kernel, a locked-down container) the
 * probe is unavailable: the work still runs, and the measurement says that nothing was measured.
 */
public final class MemoryProbe implements PeakMemoryMeter {
    static final String METHOD = "Linux VmHWM during the work minus VmRSS before it, high-water mark reset through"
            + " /proc/self/clear_refs";
    private static final long PAGE = 4096;

    private final Path status;
    private final Path clearRefs;

    MemoryProbe(Path status, Path clearRefs) {
        this.status = status;
        this.clearRefs = clearRefs;
    }

    /** The probe of this process. */
    public static MemoryProbe host() {
        return new MemoryProbe(Path.of("/proc/self/status"), Path.of("/proc/self/clear_refs"));
    }

    @Override
    public Availability availability() {
        try {
            readKib("VmRSS");
            readKib("VmHWM");
        } catch (IOException | IllegalStateException e) {
            return Availability.no("cannot read the resident memory from " + status + " (" + e.getMessage() + ")");
        }
        try {
            resetHighWaterMark();
        } catch (IOException e) {
            return Availability.no("cannot reset the resident high-water mark: " + clearRefs
                    + " is not writable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return Availability.yes();
    }

    @Override
    public PeakMeasurement measure(Runnable work) {
        Availability availability = availability();
        if (!availability.available()) {
            work.run();
            return PeakMeasurement.unavailable(availability.reason());
        }
        List<String> notes = new ArrayList<>();
        HeapState heapBefore = HeapState.current();
        if (!heapBefore.pinned()) notes.add(heapBefore.advice());
        if (JitCompiler.optimisingCompilerActive()) notes.add(JitCompiler.advice());
        if (!NativeHeap.trim()) notes.add("malloc_trim is not available, so C heap memory freed earlier and reused"
                + " by the work may not show");
        long rssBefore;
        long highWater;
        try {
            resetHighWaterMark();
            rssBefore = readKib("VmRSS") * 1024;
            work.run();
            highWater = readKib("VmHWM") * 1024;
        } catch (IOException e) {
            return PeakMeasurement.unavailable("reading " + status + " failed: " + e.getMessage());
        }
        HeapState heapAfter = HeapState.current();
        if (heapAfter.committedBytes() > heapBefore.committedBytes()) {
            notes.add("the Java heap committed " + Budget.format(heapAfter.committedBytes()
                    - heapBefore.committedBytes()) + " more during the work, which may be in the figure");
        }
        return PeakMeasurement.measured(highWater - rssBefore, METHOD, notes);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: each figure is {@code VmHWM} during the work minus {@code VmRSS} now. Pages of memory-mapped files
     * (the activation cache, read through a mapping) are left out on both sides: the kernel can drop them at any
     * moment, they are the disk's cache and not memory the work holds. The work's own file pages are the smaller of
     * {@code RssFile} before and after it, so that the figure errs high where they change while it runs.
     */
    @Override
    public PeakMemoryMeter anchoredAtRest() {
        if (!availability().available()) return this;
        // no System.gc() here: where the heap is not pinned, a collection's shrinking would move every reading
        NativeHeap.trim();
        try {
            List<String> rest = settled();
            return new Anchored(field(rest, "VmRSS") * 1024, field(rest, "RssFile") * 1024);
        } catch (IOException | IllegalStateException e) {
            return this;
        }
    }

    /** Readings of the memory at rest, a little apart, until it stops falling. */
    private static final int SETTLE_READINGS = 40;
    private static final int SETTLE_STEADY = 4;
    private static final long SETTLE_MILLIS = 50;
    private static final long SETTLED_BYTES = 256 << 10;

    /**
     * The status once the resident memory, mapped files' pages left out, has stopped falling: a collection can be
     * followed by the heap giving memory back to the system for a while after it (G1 uncommits concurrently where
     * the heap is not pinned), and a resting level read before that would hide as much of every later figure (a
     * test JVM read 46.8 MiB for 48 MiB kept; its heap gave 5 to 6 MiB back some 100 ms after the collection). The
     * lowest reading once it has not fallen for 200 ms, within two seconds, so that figures err high rather than low.
     */
    private List<String> settled() throws IOException {
        List<String> lowest = Files.readAllLines(status);
        int steady = 0;
        for (int i = 0; i < SETTLE_READINGS && steady < SETTLE_STEADY; i++) {
            try {
                Thread.sleep(SETTLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            NativeHeap.trim();
            List<String> now = Files.readAllLines(status);
            long drop = anonymous(lowest) - anonymous(now);
            steady = drop < SETTLED_BYTES ? steady + 1 : 0;
            if (drop > 0) lowest = now;
        }
        return lowest;
    }

    private static long anonymous(List<String> status) {
        return (field(status, "VmRSS") - field(status, "RssFile")) * 1024;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: after {@code malloc_trim}, {@code VmRSS} less {@code RssFile}, the resident memory that is not the
     * pages of mapped files (those the kernel can drop at any moment, as {@link #anchoredAtRest()} explains). It
     * leaves the high-water mark alone, so work inside a measurement can read it.
     */
    @Override
    public long levelBytes() {
        NativeHeap.trim();
        try {
            return anonymousBytes();
        } catch (IOException | IllegalStateException e) {
            return -1;
        }
    }

    private long anonymousBytes() throws IOException {
        return anonymous(Files.readAllLines(status));
    }

    static final String ANCHORED_METHOD = "Linux VmHWM during the work minus VmRSS at rest before the first block,"
            + " file-backed pages (the mapped cache) left out, high-water mark reset through /proc/self/clear_refs";

    /** See {@link #anchoredAtRest()}. */
    public final class Anchored implements PeakMemoryMeter {
        private final long restRss;
        private final long restFile;

        private Anchored(long restRss, long restFile) {
            this.restRss = restRss;
            this.restFile = restFile;
        }

        @Override
        public Availability availability() {
            return MemoryProbe.this.availability();
        }

        @Override
        public PeakMeasurement measure(Runnable work) {
            List<String> notes = new ArrayList<>();
            HeapState heapBefore = HeapState.current();
            if (!heapBefore.pinned()) notes.add(heapBefore.advice());
            if (JitCompiler.optimisingCompilerActive()) notes.add(JitCompiler.advice());
            NativeHeap.trim();
            long highWater;
            long fileBefore;
            long fileAfter;
            try {
                resetHighWaterMark();
                fileBefore = readKib("RssFile") * 1024;
                work.run();
                highWater = readKib("VmHWM") * 1024;
                fileAfter = readKib("RssFile") * 1024;
            } catch (IOException | IllegalStateException e) {
                return PeakMeasurement.unavailable("reading " + status + " failed: " + e.getMessage());
            }
            long workFile = Math.max(0, Math.min(fileBefore, fileAfter) - restFile);
            long figure = highWater - restRss - workFile;
            // below the resting level all through the work: something outside it gave memory back (an unpinned
            // Java heap shrinking), and what the work held is hidden in that fall, so there is no figure to give
            if (figure < 0) {
                return PeakMeasurement.unavailable("the resident memory stayed " + (-figure >> 10)
                        + " KiB below its resting level during the work: the Java heap gave memory back"
                        + (heapBefore.pinned() ? "" : "; run Java with -Xms equal to -Xmx and -XX:+AlwaysPreTouch"));
            }
            return PeakMeasurement.measured(figure, ANCHORED_METHOD, notes);
        }

        @Override
        public PeakMemoryMeter anchoredAtRest() {
            return MemoryProbe.this.anchoredAtRest();
        }

        /** The resident memory, mapped files' pages left out, above the level at rest: what earlier work kept. */
        @Override
        public long levelBytes() {
            long now = MemoryProbe.this.levelBytes();
            return now < 0 ? -1 : now - (restRss - restFile);
        }

        /** A {@link Span} whose figure counts from the resting level, as this meter's figures do. */
        public Span span() {
            return new Span(restRss, restFile, ANCHORED_METHOD);
        }
    }

    /**
     * A peak over several pieces of work with unmeasured work between them (a training loop's epochs, with an
     * evaluation after each that is not part of the training): the figure is the largest {@code VmHWM} during any
     * piece minus {@code VmRSS} when the span began. What the unmeasured work leaves resident counts in the next
     * piece's figure, so the figure can only err high. Null where the probe is unavailable.
     */
    public Span span() {
        if (!availability().available()) return null;
        NativeHeap.trim();
        try {
            resetHighWaterMark();
            return new Span(readKib("VmRSS") * 1024, -1, METHOD);
        } catch (IOException e) {
            return null;
        }
    }

    /** See {@link #span()}. */
    public final class Span {
        private final long rssBefore;
        private final long restFile; // -1 where file-backed pages count as any other
        private final String method;
        private long peak;

        private Span(long rssBefore, long restFile, String method) {
            this.rssBefore = rssBefore;
            this.restFile = restFile;
            this.method = method;
        }

        /** Runs a measured piece of the work. */
        public void measure(Runnable piece) {
            try {
                resetHighWaterMark();
                long fileBefore = restFile < 0 ? 0 : readKib("RssFile") * 1024;
                piece.run();
                long high = readKib("VmHWM") * 1024;
                long file = restFile < 0 ? 0
                        : Math.max(0, Math.min(fileBefore, readKib("RssFile") * 1024) - restFile);
                peak = Math.max(peak, high - rssBefore - file);
            } catch (IOException e) {
                throw new IllegalStateException("reading " + status + " failed: " + e.getMessage(), e);
            }
        }

        public PeakMeasurement result(List<String> notes) {
            return PeakMeasurement.measured(peak, method, notes);
        }
    }

    /**
     * Measures the method's noise: the figure for work that does nothing, and for work that allocates and touches
     * 64 MiB of native memory, which should read about 64 MiB.
     */
    private static final int CALIBRATION_ATTEMPTS = 3;

    public Calibration calibrate() {
        return calibrate(64L << 20);
    }

    /** {@link #calibrate()} with another amount of native memory touched. */
    public Calibration calibrate(long bytes) {
        // a first small run loads and compiles the touching code, so the measured runs do not count that
        measure(() -> touchNative(1L << 20));
        // Whatever else the process does meanwhile (compiler threads, a collector, another library's pool) can only
        // add to a reading, never take from it: the smallest of a few readings is the method's own error.
        PeakMeasurement empty = null;
        PeakMeasurement touched = null;
        for (int attempt = 0; attempt < CALIBRATION_ATTEMPTS; attempt++) {
            PeakMeasurement e = measure(() -> {});
            PeakMeasurement t = measure(() -> touchNative(bytes));
            if (empty == null || (e.available() && e.bytes() < empty.bytes())) empty = e;
            if (touched == null || (t.available() && t.bytes() < touched.bytes())) touched = t;
            if (!t.available() || Math.abs(t.bytes() - bytes) <= bytes / 32) break;
        }
        return new Calibration(bytes, empty, touched);
    }

    /**
     * Allocates {@code bytes} of native memory as a direct {@link ByteBuffer}, writes to every page of it, and frees
     * it. The memory comes from a confined arena rather than {@code ByteBuffer.allocateDirect} so that it is freed
     * here, not whenever the garbage collector gets to it: later measurements start from the same place.
     */
    static void touchNative(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(bytes, PAGE);
            ByteBuffer buffer = segment.asByteBuffer();
            for (long offset = 0; offset < bytes; offset += PAGE) buffer.put((int) offset, (byte) 1);
        }
    }

    private void resetHighWaterMark() throws IOException {
        Files.writeString(clearRefs, "5");
    }

    private long readKib(String field) throws IOException {
        return field(Files.readAllLines(status), field);
    }

    static long field(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field + ":")) {
                String value = line.substring(field.length() + 1).trim();
                if (!value.endsWith("kB")) throw new IllegalStateException("unexpected " + field + " line: " + line);
                return Long.parseLong(value.substring(0, value.length() - 2).trim());
            }
        }
        throw new IllegalStateException("no " + field + " line");
    }

    /**
     * The probe's noise, measured: what it reads for no work, and for a known amount of touched native memory.
     *
     * @param expectedBytes the native memory the second work touched
     * @param empty the reading for work that does nothing (the noise floor)
     * @param touched the reading for the work that touched {@code expectedBytes}
     */
    public record Calibration(long expectedBytes, PeakMeasurement empty, PeakMeasurement touched) {
        public boolean available() {
            return empty.available() && touched.available();
        }

        public long noiseFloorBytes() {
            return empty.bytes();
        }

        /** The reading for the touched memory minus what was touched. */
        public long errorBytes() {
            return touched.bytes() - expectedBytes;
        }

        public String describe() {
            if (!available()) return "memory probe not calibrated: " + (empty.available() ? touched : empty).method();
            return "memory probe calibration (measured): no work reads " + Budget.format(noiseFloorBytes())
                    + ", touching " + Budget.format(expectedBytes) + " of native memory reads "
                    + Budget.format(touched.bytes()) + " (error " + Budget.format(errorBytes()) + ")";
        }
    }
}
