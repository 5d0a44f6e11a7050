package neuroflux.stages.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MemoryCurveTest {
    /** Peaks bending upwards, as VGG-11's fifth unit measured (MiB at 4, 256, 512: 73.1, 82.0, 111.6). */
    private static final MemoryCurve BENT = new MemoryCurve(new int[] {4, 256, 512},
            new long[] {73_100, 82_000, 111_600}, 200);

    @Test
    void exactAtEachMeasuredPoint() {
        assertEquals(73_100, BENT.at(4));
        assertEquals(82_000, BENT.at(256));
        assertEquals(111_600, BENT.at(512));
    }

    @Test
    void straightBetweenPointsRoundedUp() {
        // 4 -> 256: 8,900 over 252 samples; at 130: 73,100 + 8,900 * 126 / 252 = 77,550
        assertEquals(77_550, BENT.at(130));
        // at 5: 73,100 + 8,900 / 252 = 73,135.3, rounded up
        assertEquals(73_136, BENT.at(5));
        // 256 -> 512: 29,600 over 256; at 384: 82,000 + 14,800
        assertEquals(96_800, BENT.at(384));
    }

    @Test
    void belowTheFirstPointTheFirstSegmentAndBeyondTheLastTheSlopeBeyond() {
        // the first segment extended: 73,100 - 8,900 * 3 / 252 = 72,994.05, rounded up
        assertEquals(72_995, BENT.at(1));
        assertEquals(111_600 + 100 * 200, BENT.at(612));
        assertEquals(116, BENT.lastSlope()); // ceil(29,600 / 256)
    }

    @Test
    void aLowerReadingAtALargerBatchIsRaisedToTheOneBefore() {
        MemoryCurve c = new MemoryCurve(new int[] {4, 16, 64}, new long[] {1_000, 900, 2_000}, 10);
        assertEquals(1_000, c.at(16));
        assertEquals(1_000, c.at(10));
        assertEquals(2_000, c.at(64));
    }

    @Test
    void aLineIsOnePointAtZeroWithItsSlope() {
        MemoryCurve line = MemoryCurve.line(5_000, 300);
        assertEquals(5_000, line.at(0));
        assertEquals(5_000 + 300 * 77, line.at(77));
        assertEquals(300, line.lastSlope());
        assertEquals(MemoryCurve.line(new MemoryLine(5_000, 300)), line);
    }

    @Test
    void takingAwayAnInputBatchNeverGoesBelowZeroNorFalls() {
        MemoryCurve held = new MemoryCurve(new int[] {4, 32, 128}, new long[] {10_000, 12_000, 40_000}, 300);
        MemoryCurve less = held.minusPerSample(100);
        assertEquals(9_600, less.at(4));
        assertEquals(9_600, less.at(32)); // 12,000 - 3,200 = 8,800, raised to the 9,600 before it
        assertEquals(27_200, less.at(128));
        assertEquals(200, less.slopeBeyond());
        assertEquals(1_000, MemoryCurve.line(1_000, 50).minusPerSample(100).at(1_000_000), "never falls");
    }

    @Test
    void refusesBatchSizesThatDoNotAscend() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryCurve(new int[] {4, 4}, new long[] {1, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCurve(new int[] {8, 4}, new long[] {1, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCurve(new int[] {}, new long[] {}, 0));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCurve(new int[] {1}, new long[] {1}, -1));
    }
}
