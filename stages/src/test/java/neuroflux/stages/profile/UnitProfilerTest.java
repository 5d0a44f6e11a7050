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
    void wherePeaksCanBeMeasuredThePlannerUsesMeasuredFixedBytes() {
        if (!MemoryProbe.host().availability().available()) return; // not Linux: the predicted figures are used
        assertTrue(profile.memoryMeasured());
        for (UnitProfiler.UnitFigures u : profile.units()) {
            assertNotNull(u.measured(), u.name());
            UnitProfile p = u.plannerProfile();
            assertEquals(u.measured().fixedBytes(), p.fixedBytes());
            assertTrue(p.activationBytesPerSample() >= u.activationBytesPerSample(u.predicted()));
        }
        assertNotNull(profile.backprop().measured());
    }

    @Test
    void theSecondMeasuredBatchStaysWithinItsBounds() {
        assertEquals(16, profiler.secondBatch(new MemoryLine(1, 1_000_000)));
        assertEquals(32, profiler.secondBatch(new MemoryLine(1_000_000_000, 1)));
        assertEquals(20, profiler.secondBatch(new MemoryLine(5_000, 1_000)));
    }
}
