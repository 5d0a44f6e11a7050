package neuroflux.stages.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRatesTest {
    @Test
    void withoutAReferenceBatchEveryBatchGetsTheSamePeak() {
        LearningRates r = new LearningRates("onecycle", 0.05, 0);
        assertEquals(0.05, r.peakAt(7), 1e-15);
        assertEquals(0.05, r.peakAt(447), 1e-15);
    }

    @Test
    void withAReferenceBatchThePeakScalesLinearlyWithTheBatch() {
        LearningRates r = new LearningRates("onecycle", 0.1, 256);
        assertEquals(0.1, r.peakAt(256), 1e-15);
        assertEquals(0.1 * 7 / 256, r.peakAt(7), 1e-15);
        assertEquals(0.2, r.peakAt(512), 1e-15);
    }

    @Test
    void theScheduleReachesThePeakOfItsBatch() {
        LearningRates r = new LearningRates("onecycle", 0.1, 100);
        LearningRateSchedule s = r.at(50, 1000);
        double most = 0;
        for (long step = 0; step < 1000; step++) most = Math.max(most, s.lr(step));
        assertEquals(0.05, most, 1e-9, "one-cycle at batch 50 of reference 100 peaks at half the rate");
        assertEquals(0.05, new LearningRates("constant", 0.1, 100).at(50, 10).lr(3), 1e-15);
        double cosineMost = 0;
        LearningRateSchedule c = new LearningRates("cosine", 0.1, 100).at(200, 1000);
        for (long step = 0; step < 1000; step++) cosineMost = Math.max(cosineMost, c.lr(step));
        assertEquals(0.2, cosineMost, 1e-9);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRates("onecycle", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRates("onecycle", 0.1, -1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRates("step", 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRates("onecycle", 0.1, 0).peakAt(0));
    }
}
