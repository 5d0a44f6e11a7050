package neuroflux.stages.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.memory.MemoryProbe;
import neuroflux.stages.plan.MemoryLine;
import neuroflux.stages.plan.StepTime;
import neuroflux.stages.plan.UnitProfile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitProfilerTest {
    @TempDir
    static Path dir;
    static HeadedNetwork net;
    static UnitProfiler.Profile profile;
    static UnitProfiler profiler;

    @BeforeAll
    static void profile() throws Exception {
        net = HeadedNetwork.build(ModelImporter.load(neuroflux.stages.block.TinyCnn.write(dir)),
                new AuxiliaryHeads(HeadWidthRule.adaptive(), 0));
        profiler = new UnitProfiler(new UnitProfiler.Settings(4, 16, 64, 1, new Optimizer.Sgd(0.9, true, 5e-4),
                RuntimeOptions.cpu(1), 0), MemoryProbe.host());
        profile = profiler.profile(net);
    }

    @Test
    void everyUnitHasPredictedFiguresAndMeasuredTimes() {
        assertEquals(3, profile.units().size());
        for (UnitProfiler.UnitFigures u : profile.units()) {
            assertTrue(u.predicted().fixedBytes() > 0, u.name());
            assertTrue(u.predicted().bytesPerSample() > u.inputBytesPerSample(), u.name() + ": input and more");
            assertTrue(u.trainTime().secondsPerSample(16) > 0, u.name());
            assertTrue(u.cacheTime().secondsPerSample(16) > 0, u.name());
            assertEquals(net.inputBytesPerSample(u.unit()), u.inputBytesPerSample());
        }
        assertEquals("classifier", profile.units().get(2).exit());
    }

    @Test
    void theStaticPredictionIsAtOrAboveThePlansPeaks() {
        for (int k = 0; k < net.size(); k++) {
            MemoryLine line = profile.units().get(k).predicted();
            for (int b : new int[] {1, 3, 8, 24, 64}) {
                long peak = neuroflux.stages.block.UnitStep.compile(net, k, b, k < 2,
                        new Optimizer.Sgd(0.9, true, 5e-4)).staticPlan().peakBytes();
                assertTrue(line.at(b) >= peak, "unit " + k + ": " + line + " at " + b + " vs " + peak);
            }
        }
    }

    @Test
    void theUpperLineKeepsEveryPointBelowIt() {
        MemoryLine l = UnitProfiler.upperLine(java.util.List.of(1, 2, 4, 8), new long[] {100, 150, 180, 400});
        assertEquals(50, l.bytesPerSample()); // the steepest: from 1 to 2
        assertTrue(l.at(2) >= 150 && l.at(4) >= 180 && l.at(8) >= 400 && l.at(1) >= 100);
    }

    @Test
    void wherePeaksCanBeMeasuredThePlannerFollowsTheMeasuredPoints() {
        if (!MemoryProbe.host().availability().available()) return; // not Linux: the predicted figures are used
        assertTrue(profile.memoryMeasured());
        for (UnitProfiler.UnitFigures u : profile.units()) {
            assertEquals(java.util.List.of(4, profiler.secondBatch(u.predicted())), u.measuredBatches(),
                    "no budget to bracket: " + u.name());
            UnitProfile p = u.plannerProfile();
            long most = 0;
            for (UnitProfiler.Point pt : u.points()) {
                // the planner's figures are the measured ones, none below the step's state
                long peak = Math.max(u.stateBytes(), pt.peakBytes());
                most = Math.max(most, peak);
                assertEquals(most, p.peak().at(pt.batch()), u.name() + " at " + pt.batch());
                assertTrue(pt.heldBytes() >= 0, u.name() + ": the probe reads its level");
                // what a session keeps after its steps is less than its peak while they ran (1 MiB of leeway for
                // file pages, which the peak counts and the level does not)
                assertTrue(p.held().at(pt.batch()) <= peak + (1 << 20), u.name() + ": held "
                        + p.held().at(pt.batch()) + " of a peak of " + peak);
            }
            assertTrue(p.activationBytesPerSample() >= u.activationBytesPerSample(u.predicted()));
        }
        assertNotNull(profile.backprop().measured());
    }

    /**
     * With a budget to bracket, a third batch size is measured where the unit alone is expected to reach the
     * budget (here the cap, 64, since the tiny units fit it many times over; the second batch size is at most 32,
     * so 64 is well beyond it), and the planner's curve passes through it instead of extrapolating.
     */
    @Test
    void aBudgetAddsAMeasurementWhereTheUnitAloneWouldReachIt() {
        if (!MemoryProbe.host().availability().available()) return;
        UnitProfiler bracketing = new UnitProfiler(new UnitProfiler.Settings(4, 16, 64, 1,
                new Optimizer.Sgd(0.9, true, 5e-4), RuntimeOptions.cpu(1), 0).withBracket(1L << 30),
                MemoryProbe.host());
        UnitProfiler.Profile bracketed = bracketing.profile(net);
        for (UnitProfiler.UnitFigures u : bracketed.units()) {
            assertEquals(java.util.List.of(4, bracketing.secondBatch(u.predicted()), 64), u.measuredBatches(),
                    u.name());
            long most = Math.max(u.stateBytes(),
                    u.points().stream().mapToLong(UnitProfiler.Point::peakBytes).max().orElseThrow());
            assertEquals(most, u.plannerPeak().at(64), u.name() + ": the largest measured figure at the top");
        }
    }

    /**
     * A unit that is not the model's last passes its output on in its profiled steps, which the planner takes off
     * where it ends its block; the last unit, profiled without one, has none.
     */
    @Test
    void thePassedOutputIsTheOutputAndZeroForTheLastUnit() {
        for (UnitProfiler.UnitFigures u : profile.units()) {
            long expected = u.unit() == net.size() - 1 ? 0 : net.outputBytesPerSample(u.unit());
            assertEquals(expected, u.passedOutputBytesPerSample(), u.name());
            assertEquals(expected, u.plannerProfile().passedOutputBytesPerSample(), u.name());
        }
        assertTrue(net.outputBytesPerSample(0) > 0);
    }

    /** Points as the profiler reads them, the first below zero as a tiny step's reading can be. */
    @Test
    void thePlannerCurvesGoThroughThePointsAndTakeTheInputOutOfTheHeldMemory() {
        StepTime.Linear t = new StepTime.Linear(0, 1e-3);
        UnitProfiler.UnitFigures u = new UnitProfiler.UnitFigures(0, "u", "u.head", 8, 100, 100, 1_000, 500,
                new MemoryLine(10_000, 3_000), java.util.List.of(new UnitProfiler.Point(4, -16_384, 20_000),
                new UnitProfiler.Point(32, 100_000, 60_000), new UnitProfiler.Point(128, 500_000, 200_000)), t, t, 0, 0);
        UnitProfile p = u.plannerProfile();
        assertEquals(0, p.peak().at(4));
        assertEquals(100_000, p.peak().at(32));
        assertEquals(500_000, p.peak().at(128));
        assertEquals(500_000 + 100 * 4_167, p.peak().at(228), "beyond: the last slope, ceil(400,000 / 96)");
        // held less the unit's own 1,000 B/sample input: 16,000, 28,000, 72,000
        assertEquals(16_000, p.held().at(4));
        assertEquals(28_000, p.held().at(32));
        assertEquals(72_000, p.held().at(128));
        assertEquals(new MemoryLine(0, 4_157), u.measured(), "the line through the first two points");
    }

    /** A measured figure below what the step certainly holds (its state) is taken as that state, never less. */
    @Test
    void noPlannerFigureIsBelowTheStepsState() {
        StepTime.Linear t = new StepTime.Linear(0, 1e-3);
        UnitProfiler.UnitFigures u = new UnitProfiler.UnitFigures(0, "u", "u.head", 8, 100, 100, 1_000, 500,
                new MemoryLine(10_000, 3_000), java.util.List.of(new UnitProfiler.Point(4, 0, 0),
                new UnitProfiler.Point(32, 100_000, 60_000)), t, t, 50_000, 0);
        UnitProfile p = u.plannerProfile();
        assertEquals(50_000, p.peak().at(4), "the 0 read at batch 4 is floored by the 50,000 B of state");
        assertEquals(100_000, p.peak().at(32));
        assertEquals(50_000 - 4 * 1_000, p.held().at(4), "held: the state, less the unit's own input");
    }

    @Test
    void theBracketIsWhereAPeakGrowingByItsSlopeReachesTheBudget() {
        UnitProfiler p = new UnitProfiler(new UnitProfiler.Settings(4, 16, 64, 1, new Optimizer.Sgd(0.9, true, 0),
                RuntimeOptions.cpu(1), 0, 1_000_000), MemoryProbe.host());
        assertEquals(12, p.fitting(4, 200_000, 100_000)); // 4 + 800,000 / 100,000
        assertEquals(13, p.fitting(4, 50_000, 100_000)); // 4 + 9.5, rounded down
        assertEquals(64, p.fitting(4, 200_000, 10_000), "no more than the cap");
        assertEquals(64, p.fitting(4, 200_000, 0), "a flat peak: the cap");
        assertEquals(1, p.fitting(4, 2_000_000, 100_000), "already over: at least 1");
    }

    @Test
    void theSecondMeasuredBatchStaysWithinItsBounds() {
        assertEquals(16, profiler.secondBatch(new MemoryLine(1, 1_000_000)));
        assertEquals(32, profiler.secondBatch(new MemoryLine(1_000_000_000, 1)));
        assertEquals(20, profiler.secondBatch(new MemoryLine(5_000, 1_000)));
    }
}
