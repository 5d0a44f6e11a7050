package neuroflux.pipeline.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import neuroflux.stages.plan.MemoryLine;
import neuroflux.stages.plan.StepTime;
import neuroflux.stages.profile.UnitProfiler;
import org.junit.jupiter.api.Test;

class RunProgressTest {
    private static final Path DIR = Path.of("checkpoint");

    @Test
    void theProfileAPlanWasMadeFromComesBackFromTheManifestUnchanged() {
        var unit = new UnitProfiler.UnitFigures(0, "features.0", "exit0", 8, 1234, 5678, 3136, 50176,
                new MemoryLine(1_000_000, 60_000), List.of(new UnitProfiler.Point(4, 1_300_000, 900_000),
                new UnitProfiler.Point(172, 11_500_000, -1)), new StepTime.Linear(0.002, 0.0004),
                new StepTime.Linear(0.001, 0.0001), 99_000, 50176);
        var backprop = new UnitProfiler.BackpropFigures(9_000_000, new MemoryLine(40_000_000, 2_000_000), null,
                new StepTime.Linear(0.01, 0.02));
        var saved = new RunProgress.SavedProfile(List.of(unit), backprop, true, "peak RSS", List.of("a note"));
        RunProgress progress = new RunProgress();
        progress.profile = saved;
        progress.residentBytes = 12_345_678;

        RunProgress read = RunProgress.fromJson(progress.toJson(), DIR);

        assertEquals(saved, read.profile);
        assertEquals(12_345_678, read.residentBytes);
        assertEquals(unit.plannerProfile().peak().at(100), read.profile.units().getFirst().plannerProfile().peak()
                .at(100), "the planner's curve from the read profile differs");
    }

    @Test
    void aManifestWrittenBeforeTheProfileWasKeptReadsWithoutOne() {
        var old = RunProgress.manifestJson().createObjectNode().put("blocksDone", 2);
        RunProgress read = RunProgress.fromJson(old, DIR);
        assertNull(read.profile, "an older checkpoint's run must profile again");
        assertEquals(2, read.blocksDone);
    }
}
