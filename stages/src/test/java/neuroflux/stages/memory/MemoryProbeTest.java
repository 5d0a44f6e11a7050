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
        // This test JVM runs HotSpot's optimising compiler, whose threads free native arenas of up to tens of MiB
        // at any moment: one freed while a piece runs lowers what the piece reads (a suite run read 3.5 MiB for
        // the 16 MiB piece). Such a dip is rare and passing, so the span is taken up to three times; a span that
        // never counted its pieces would read short every time, and one that counted the unmeasured 96 MiB is
        // refused on the first reading.
        long peak = 0;
        for (int attempt = 0; attempt < 3 && peak < 15 * MIB; attempt++) {
            MemoryProbe.Span span = probe.span();
            span.measure(() -> MemoryProbe.touchNative(16 * MIB));
            MemoryProbe.touchNative(96 * MIB); // between the pieces: not measured
            span.measure(() -> MemoryProbe.touchNative(8 * MIB));
            peak = span.result(java.util.List.of()).bytes();
            assertTrue(peak < 64 * MIB, "the unmeasured 96 MiB should not be in " + peak);
        }
        assertTrue(peak >= 15 * MIB, "the 16 MiB piece reads " + peak);
    }

    /** A /proc/self/status of the given figures, in KiB. */
    private static void status(Path file, long rssKib, long hwmKib, long fileKib) throws java.io.IOException {
        java.nio.file.Files.writeString(file, "Name:\tjava\nVmHWM:\t" + hwmKib + " kB\nVmRSS:\t" + rssKib
                + " kB\nRssAnon:\t" + (rssKib - fileKib) + " kB\nRssFile:\t" + fileKib + " kB\n");
    }

    /**
     * An anchored figure counts from the resting level, not from the level before the work: memory an earlier
     * piece kept is in it. The figures of a status file the test writes stand in for the kernel's.
     */
    @Test
    void anAnchoredMeterCountsFromTheRestingLevel(@TempDir Path dir) throws Exception {
        Path st = dir.resolve("status");
        MemoryProbe probe = new MemoryProbe(st, dir.resolve("clear_refs"));
        status(st, 1_000_000, 1_000_000, 40_000);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        // an earlier block kept 50 MiB: the next work starts at 1,051,200 KiB and peaks at 1,151,200 KiB
        status(st, 1_051_200, 1_051_200, 40_000);
        PeakMeasurement m = anchored.measure(() -> {
            try {
                status(st, 1_051_200, 1_151_200, 40_000);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals((1_151_200L - 1_000_000L) * 1024, m.bytes(), m.describe());
        assertEquals(100_000L * 1024, probe.measure(() -> {
            try {
                status(st, 1_051_200, 1_151_200, 40_000);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).bytes(), "the plain probe counts from just before the work");
    }

    /** Pages of a mapped file resident before and after the work are the kernel's to drop: not in the figure. */
    @Test
    void anAnchoredMeterLeavesFilePagesOut(@TempDir Path dir) throws Exception {
        Path st = dir.resolve("status");
        MemoryProbe probe = new MemoryProbe(st, dir.resolve("clear_refs"));
        status(st, 1_000_000, 1_000_000, 40_000);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        // 64 MiB of a cache file mapped and touched, kept through the work; the work adds 10 MiB of its own
        status(st, 1_065_536, 1_065_536, 105_536);
        PeakMeasurement m = anchored.measure(() -> {
            try {
                status(st, 1_065_536, 1_075_776, 105_536);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(10_240L * 1024, m.bytes(), m.describe());
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
    void saysWhenTheOptimisingCompilerCanRunDuringTheWork() {
        // the tests' JVM runs with HotSpot's default compilers (pom.xml's argLine leaves them alone)
        assertTrue(JitCompiler.optimisingCompilerActive());
        MemoryProbe probe = MemoryProbe.host();
        assumeTrue(probe.availability().available(), probe.availability().reason());
        PeakMeasurement m = probe.measure(() -> {});
        assertTrue(m.notes().stream().anyMatch(n -> n.contains("-XX:TieredStopAtLevel=1")), m.describe());
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

    /**
     * The level is the resident memory less mapped files' pages; an anchored meter's level is what is kept above its
     * rest; reading it leaves the high-water mark alone (it never resets it through clear_refs).
     */
    @Test
    void theLevelCountsWhatIsKeptAboveTheRestAndLeavesThePeakAlone(@TempDir Path dir) throws Exception {
        Path st = dir.resolve("status");
        Path clearRefs = dir.resolve("clear_refs");
        MemoryProbe probe = new MemoryProbe(st, clearRefs);
        status(st, 1_000_000, 1_000_000, 40_000);
        assertEquals(960_000L * 1024, probe.levelBytes());
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        // 32 MiB kept since the rest, and 8 MiB more of a mapped file that is not counted
        status(st, 1_040_960, 1_040_960, 48_192);
        assertEquals(32L * MIB, anchored.levelBytes());
        java.nio.file.Files.deleteIfExists(clearRefs);
        anchored.levelBytes();
        assertFalse(java.nio.file.Files.exists(clearRefs), "reading the level reset the high-water mark");
        assertEquals(-1, new PeakMemoryMeter.UnavailableMeter("none").levelBytes(), "a meter that cannot read it");
    }

    /** A figure below the resting level hides what the work held: no figure, and the reason, rather than a negative. */
    @Test
    void anAnchoredFigureBelowTheRestIsNotAMeasurement(@TempDir Path dir) throws Exception {
        Path st = dir.resolve("status");
        MemoryProbe probe = new MemoryProbe(st, dir.resolve("clear_refs"));
        status(st, 1_000_000, 1_000_000, 40_000);
        PeakMemoryMeter anchored = probe.anchoredAtRest();
        status(st, 990_000, 990_000, 40_000);
        PeakMeasurement m = anchored.measure(() -> { });
        assertFalse(m.available(), m.describe());
        assertTrue(m.describe().contains("below its resting level"), m.describe());
    }
}
