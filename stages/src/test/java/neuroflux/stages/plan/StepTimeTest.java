package neuroflux.stages.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StepTimeTest {
    @Test
    void twoMeasuredStepsGiveOverheadAndTimePerSample() {
        // 32 samples in 42 ms, 128 in 138 ms: 1 ms per sample, 10 ms per step
        StepTime.Linear t = StepTime.fromTwoSteps(32, 0.042, 128, 0.138);
        assertEquals(0.001, t.secondsPerSample(), 1e-12);
        assertEquals(0.010, t.overheadSecondsPerStep(), 1e-12);
        assertEquals(0.002, t.secondsPerSample(10), 1e-12);
        assertEquals(0.001 + 0.01 / 512, t.secondsPerSample(512), 1e-12);
    }

    @Test
    void noiseNeverMakesLargerStepsFaster() {
        StepTime.Linear t = StepTime.fromTwoSteps(16, 0.05, 64, 0.04);
        assertEquals(0, t.secondsPerSample(), 0);
        assertEquals(0.05, t.overheadSecondsPerStep(), 1e-12);
    }

    @Test
    void refusesWhatDefinesNoLine() {
        assertThrows(IllegalArgumentException.class, () -> StepTime.fromTwoSteps(8, 0.1, 8, 0.2));
        assertThrows(IllegalArgumentException.class, () -> StepTime.fromTwoSteps(8, Double.NaN, 16, 0.2));
        assertThrows(IllegalArgumentException.class, () -> StepTime.linear(-1, 0));
    }
}
