package neuroflux.stages.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryLineTest {
    @Test
    void twoPeaksGiveFixedBytesAndBytesPerSample() {
        // 1,000,000 fixed + 3,000 per sample: 1,096,000 at 32, 1,384,000 at 128
        MemoryLine line = MemoryLine.fit(128, 1_384_000, 32, 1_096_000);
        assertEquals(new MemoryLine(1_000_000, 3_000), line);
        assertEquals(1_003_000, line.at(1));
    }

    @Test
    void anUnevenSlopeIsRoundedUpSoTheLineCoversBothPeaks() {
        MemoryLine line = MemoryLine.fit(2, 1_000, 5, 1_010);
        assertEquals(4, line.bytesPerSample());
        assertTrue(line.at(2) >= 1_000 && line.at(5) >= 1_010);
    }

    @Test
    void noiseDoesNotMakeFiguresNegative() {
        assertEquals(new MemoryLine(1_000, 0), MemoryLine.fit(8, 1_000, 16, 900));
        assertEquals(new MemoryLine(0, 100), MemoryLine.fit(1, 50, 2, 150));
        assertThrows(IllegalArgumentException.class, () -> MemoryLine.fit(4, 1, 4, 2));
    }
}
