package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import neuroflux.stages.memory.PeakMeasurement;

class BatchSearchTest {
    private static final long MIB = 1L << 20;

    /** A process whose peak is {@code fixed + perSample * batch}, recording every batch measured. */
    private static IntFunction<PeakMeasurement> linear(long fixed, long perSample, List<Integer> measured) {
        return b -> {
            measured.add(b);
            return PeakMeasurement.measured(fixed + perSample * b, "test", List.of());
        };
    }

    @Test
    void keepsThePlannedBatchWhereItFits() {
        List<Integer> measured = new ArrayList<>();
        BatchSearch.Result r = BatchSearch.search(8, linear(100 * MIB, 5 * MIB, measured), 100 * MIB, 150 * MIB, 6);
        assertEquals(8, r.batch());
        assertEquals(List.of(8), measured);
    }

    /**
     * The vgg11 case: the profile's fixed bytes are 40 MiB short of the real ones, so the first step down gives
     * every sample that difference and lands low; the search then climbs back to the largest batch that fits.
     * Worked by hand: real peak 120 + 6b MiB, usable 172 MiB, so 8 fits (168) and 9 does not (174).
     */
    @Test
    void climbsBackWhenTheProfileUnderestimatesTheFixedBytes() {
        List<Integer> measured = new ArrayList<>();
        BatchSearch.Result r = BatchSearch.search(11, linear(120 * MIB, 6 * MIB, measured), 80 * MIB, 172 * MIB, 6);
        assertEquals(8, r.batch());
        assertEquals(168 * MIB, r.peak().bytes());
        // 11 over (186); extrapolated (186-80)/11 = 9.6 per sample, (172-80)/9.6 = 9.5 -> 9, over (174);
        // the line through 9 and 11 (6 MiB per sample) meets 172 at 8.67 -> 8, within
        assertEquals(List.of(11, 9, 8), measured);
        assertEquals(measured, r.measurements().stream().map(BatchSearch.Measured::batch).toList());
    }

    @Test
    void searchesBetweenABatchThatFitsAndOneThatDoesNot() {
        List<Integer> measured = new ArrayList<>();
        // the profile thinks nothing is fixed; real peak 20 + 10b MiB, usable 105: 16 over (180), extrapolated to 9
        // (110, over), the line through 9 and 16 meets the budget at 8.5 -> 8 (100, within)
        BatchSearch.Result r = BatchSearch.search(16, linear(20 * MIB, 10 * MIB, measured), 0, 105 * MIB, 6);
        assertEquals(8, r.batch());
        assertTrue(r.peak().bytes() <= 105 * MIB);
        assertEquals(16, measured.getFirst());
        for (int b : measured.subList(1, measured.size())) assertTrue(b < 16, "never above the planned batch");
    }

    @Test
    void neverReturnsABatchMeasuredOverTheBudgetWhenOneFits() {
        List<Integer> measured = new ArrayList<>();
        // noisy: the peak does not rise between 5 and 7, so the search bisects; usable 100 fits at 5 and 6 only
        IntFunction<PeakMeasurement> noisy = b -> {
            measured.add(b);
            long bytes = b <= 6 ? 90 * MIB : 130 * MIB;
            return PeakMeasurement.measured(bytes, "test", List.of());
        };
        BatchSearch.Result r = BatchSearch.search(12, noisy, 0, 100 * MIB, 6);
        assertTrue(r.peak().bytes() <= 100 * MIB);
        assertEquals(6, r.batch());
    }

    @Test
    void stopsAtBatchOneOverTheBudgetAndSaysSo() {
        List<Integer> measured = new ArrayList<>();
        BatchSearch.Result r = BatchSearch.search(4, linear(200 * MIB, MIB, measured), 0, 100 * MIB, 6);
        assertEquals(1, r.batch());
        assertTrue(r.peak().bytes() > 100 * MIB, "the caller sees that even batch 1 is over");
        assertEquals(1, measured.getLast());
    }

    @Test
    void boundedByTheNumberOfMeasurements() {
        List<Integer> measured = new ArrayList<>();
        BatchSearch.search(512, linear(0, MIB, measured), 0, 300 * MIB, 3);
        assertEquals(3, measured.size());
    }

    @Test
    void stopsWhereNothingCanBeMeasured() {
        List<Integer> measured = new ArrayList<>();
        BatchSearch.Result r = BatchSearch.search(8, b -> {
            measured.add(b);
            return PeakMeasurement.unavailable("no meter");
        }, 0, MIB, 6);
        assertEquals(8, r.batch());
        assertFalse(r.peak().available());
        assertEquals(List.of(8), measured);
    }
}
