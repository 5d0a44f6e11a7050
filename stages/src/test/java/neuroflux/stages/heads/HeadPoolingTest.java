package neuroflux.stages.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeadPoolingTest {
    @Test
    void evenMapsPoolInHalves() {
        assertEquals(new HeadPooling(16, 16, 0, 0, 2, 2), HeadPooling.of(32, 32));
    }

    @Test
    void oddMapsArePaddedByOneUncountedCell() {
        assertEquals(new HeadPooling(4, 2, 1, 1, 2, 2), HeadPooling.of(7, 3));
    }

    @Test
    void smallAxesAreLeftAlone() {
        HeadPooling tiny = HeadPooling.of(2, 2);
        assertFalse(tiny.pools());
        assertEquals(4, tiny.gridCells());
        HeadPooling mixed = HeadPooling.of(1, 5);
        assertTrue(mixed.pools());
        assertEquals(new HeadPooling(1, 3, 0, 1, 1, 2), mixed);
    }

    @Test
    void everyCellIsInSomeWindowAndTheGridIsAtMostTwoByTwo() {
        for (long d = 1; d <= 64; d++) {
            HeadPooling p = HeadPooling.of(d, d);
            assertTrue(p.gridHeight() <= 2, "d=" + d);
            assertEquals(d + p.padHeight(), p.kernelHeight() * p.gridHeight(), "windows cover the axis, d=" + d);
            assertTrue(p.padHeight() < p.kernelHeight() || p.kernelHeight() == 1, "no window is all padding, d=" + d);
        }
    }
}
