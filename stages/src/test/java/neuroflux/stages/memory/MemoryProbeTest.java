package neuroflux.stages.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import neuroflux.onnx.runtime.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryProbeTest {
    private static final long MIB = 1L << 20;

    @Test
    void calibrationReadsTouchedNativeMemoryWithinAFewMiB() {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        MemoryProbe.Calibration c = probe.calibrate();
        assertTrue(c.available(), c.describe());
        assertTrue(Math.abs(c.noiseFloorBytes()) <= 4 * MIB, c.describe());
        assertTrue(Math.abs(c.errorBytes()) <= 4 * MIB, c.describe());
        assertTrue(c.describe().contains("measured"), c.describe());
    }

    /** A span counts its measured pieces, not what ran between them and was freed before the next one. */
    @Test
    void aSpanCountsTheMeasuredPiecesOnly() {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        MemoryProbe.touchNative(1L << 20); // load and compile the touching code first
        MemoryProbe.Span span = probe.span();
        span.measure(() -> MemoryProbe.touchNative(16 * MIB));
        MemoryProbe.touchNative(96 * MIB); // between the pieces: not measured
        span.measure(() -> MemoryProbe.touchNative(8 * MIB));
        long peak = span.result(java.util.List.of()).bytes();
        assertTrue(peak >= 15 * MIB, "the 16 MiB piece reads " + peak);
        assertTrue(peak < 64 * MIB, "the unmeasured 96 MiB should not be in " + peak);
    }

    /**
     * Memory an earlier piece of work kept shows in a later piece's figure once the meter is anchored at rest, while
     * the plain probe, counting from just before each piece, hides it.
     */
    @Test
    void anAnchoredMeterCountsWhatEarlierWorkKept() {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        MemoryProbe.touchNative(1L << 20);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        try (java.lang.foreign.Arena kept = java.lang.foreign.Arena.ofConfined()) {
            anchored.measure(() -> {
                java.nio.ByteBuffer b = kept.allocate(48 * MIB, 4096).asByteBuffer();
                for (int at = 0; at < b.capacity(); at += 4096) b.put(at, (byte) 1);
            });
            long later = anchored.measure(() -> MemoryProbe.touchNative(1L << 20)).bytes();
            long plain = probe.measure(() -> MemoryProbe.touchNative(1L << 20)).bytes();
            assertTrue(later >= 47 * MIB, "the 48 MiB kept by the first piece should be in " + later);
            assertTrue(plain < 16 * MIB, "the plain probe counts from just before: " + plain);
        }
    }

    /**
     * The level rises by what work keeps, an anchored meter's level is what is kept above its rest, and reading the
     * level inside a measurement leaves the measurement's high-water mark alone.
     */
    @Test
    void theLevelCountsWhatIsKeptAndLeavesAPeakAlone() {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        MemoryProbe.touchNative(1L << 20);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        long before = probe.levelBytes();
        try (java.lang.foreign.Arena kept = java.lang.foreign.Arena.ofConfined()) {
            java.nio.ByteBuffer b = kept.allocate(32 * MIB, 4096).asByteBuffer();
            for (int at = 0; at < b.capacity(); at += 4096) b.put(at, (byte) 1);
            long rise = probe.levelBytes() - before;
            assertTrue(Math.abs(rise - 32 * MIB) <= 4 * MIB, "32 MiB kept, the level rose " + rise);
            long aboveRest = anchored.levelBytes();
            assertTrue(Math.abs(aboveRest - 32 * MIB) <= 4 * MIB, "32 MiB kept above the rest: " + aboveRest);
        }
        long[] inside = new long[1];
        long peak = probe.measure(() -> {
            MemoryProbe.touchNative(48 * MIB);
            inside[0] = probe.levelBytes();
            MemoryProbe.touchNative(8 * MIB);
        }).bytes();
        assertTrue(inside[0] > 0);
        assertTrue(peak >= 47 * MIB, "the 48 MiB before the reading should stay in the peak: " + peak);
        assertEquals(-1, new PeakMemoryMeter.UnavailableMeter("none").levelBytes(), "a meter that cannot read it");
    }

    /** Pages of a mapped file (the activation cache) are the kernel's to drop: not in an anchored figure. */
    @Test
    void anAnchoredMeterLeavesMappedFilePagesOut(@TempDir Path dir) throws Exception {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        Path file = dir.resolve("cache.bin");
        java.nio.file.Files.write(file, new byte[(int) (64 * MIB)]);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            java.lang.foreign.MemorySegment map = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0,
                    64 * MIB, arena);
            long sum = 0;
            for (long at = 0; at < 64 * MIB; at += 4096) sum += map.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            assertEquals(0, sum);
            long figure = anchored.measure(() -> {
                long s2 = 0;
                for (long at = 0; at < 64 * MIB; at += 4096) s2 += map.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
                assertEquals(0, s2);
            }).bytes();
            assertTrue(figure < 16 * MIB, "64 MiB of mapped file pages should not be in " + figure);
        }
    }

    @Test
    void saysWhenTheHeapIsNotPinned() {
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        PeakMeasurement m = probe.measure(() -> {});
        boolean advised = m.notes().stream().anyMatch(n -> n.contains("-XX:+AlwaysPreTouch"));
        assertEquals(!HeapState.current().pinned(), advised, m.describe());
    }

    @Test
    void pinnedMeansAllCommittedAndPreTouched() {
        assertTrue(new HeapState(256 * MIB, 256 * MIB, true).pinned());
        assertFalse(new HeapState(128 * MIB, 256 * MIB, true).pinned());
        assertFalse(new HeapState(256 * MIB, 256 * MIB, false).pinned());
        assertFalse(new HeapState(256 * MIB, -1, true).pinned());
    }

    @Test
    void withoutClearRefsNothingIsMeasuredButTheWorkRuns(@TempDir Path dir) {
        MemoryProbe probe = new MemoryProbe(Path.of("/proc/self/status"), dir.resolve("absent/clear_refs"));
        assertFalse(probe.availability().available());
        assertTrue(probe.availability().reason().contains("not writable"), probe.availability().reason());
        AtomicBoolean ran = new AtomicBoolean();
        PeakMeasurement m = probe.measure(() -> ran.set(true));
        assertTrue(ran.get());
        assertFalse(m.available());
        assertThrows(IllegalStateException.class, m::bytes);
        assertTrue(m.describe().startsWith("not measured"), m.describe());
    }

    @Test
    void theCudaExtensionPointSaysItCannotMeasureYet() {
        PeakMemoryMeter meter = PeakMemoryMeter.forDevice(Device.CUDA);
        assertFalse(meter.availability().available());
        AtomicBoolean ran = new AtomicBoolean();
        assertFalse(meter.measure(() -> ran.set(true)).available());
        assertTrue(ran.get());
        assertTrue(PeakMemoryMeter.forDevice(Device.CPU) instanceof MemoryProbe);
    }
}
