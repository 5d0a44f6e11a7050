package neuroflux.stages.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void oneCycleRisesToItsPeakAtPctStartAndEndsAtTheFinalDivision() {
        long total = 220;
        OneCycleSchedule s = OneCycleSchedule.pytorch(0.05, total, 0.15);
        // PyTorch: phase 1 ends at step pct_start * total - 1 = 32
        assertEquals(0.05 / 25, s.lr(0), 1e-12);
        assertEquals(0.05, s.lr(32), 1e-12);
        assertEquals(0.05 / 25 / 1e4, s.lr(total - 1), 1e-12);
        assertEquals(0.95, s.momentum(0, 0.9), 1e-12);
        assertEquals(0.85, s.momentum(32, 0.9), 1e-12);
        assertEquals(0.95, s.momentum(total - 1, 0.9), 1e-12);
        for (long k = 1; k <= 32; k++) assertTrue(s.lr(k) > s.lr(k - 1), "rising at " + k);
        for (long k = 33; k < total; k++) assertTrue(s.lr(k) < s.lr(k - 1), "falling at " + k);
        // halfway through each phase the cosine is at its midpoint
        double initial = 0.05 / 25;
        assertEquals((initial + 0.05) / 2, s.lr(16), 1e-12);
        assertEquals(0.9, s.momentum(16, 0.5), 1e-12);
        // with 100 steps and pct_start 0.2 the second phase runs from step 19 to 99, halfway at 59
        assertEquals((0.05 + initial / 1e4) / 2, OneCycleSchedule.pytorch(0.05, 100, 0.2).lr(59), 1e-12);
    }

    @Test
    void oneCycleWithoutMomentumCyclingKeepsTheBase() {
        OneCycleSchedule s = new OneCycleSchedule(0.1, 50, 0.3, 25, 1e4, 0.85, 0.95, false);
        assertEquals(0.9, s.momentum(10, 0.9));
    }

    @Test
    void cosineWarmsUpLinearlyThenAnneals() {
        CosineSchedule s = new CosineSchedule(0.1, 101, 10, 0.001);
        assertEquals(0.01, s.lr(0), 1e-12);
        assertEquals(0.1, s.lr(9), 1e-12);
        assertEquals(0.1, s.lr(10), 1e-12);
        assertEquals(0.001, s.lr(100), 1e-12);
        assertEquals((0.1 + 0.001) / 2, s.lr(55), 1e-12);
        for (long k = 11; k < 101; k++) assertTrue(s.lr(k) < s.lr(k - 1));
    }
}
