package neuroflux.pipeline.checkpoint;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.plan.Block;
import neuroflux.stages.profile.UnitProfiler;

/**
 * Where a compress run stands, as its checkpoint's manifest keeps it: the settings it was started with, the plan
 * (kept, not planned again: the plan depends on measured memory, and a resumed run must train the same blocks),
 * how many blocks are trained and cached, how far the current block is, and what the finished blocks reported.
 * Mutable fields, since the run updates it as it goes; the checkpoint writes a snapshot of it.
 */
public final class RunProgress {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /**
     * How a checkpoint's state maps to and from JSON: NaN and infinities allowed (a loss may be one), fields a
     * newer version added ignored.
     */
    public static ObjectMapper manifestJson() {
        return JSON;
    }

    /** What determines the run's result, by option name: a resumed run must have the same. */
    public Map<String, String> settings = new LinkedHashMap<>();
    /** The command line's arguments, so that {@code --resume DIR} alone can continue the run. */
    public List<String> arguments = new ArrayList<>();
    public List<Block> blocks = new ArrayList<>();
    public int backpropBatch;
    public long smallestBudgetBytes;
    public List<Integer> plannedBatches = new ArrayList<>();
    /** Blocks trained and with their caches written and checked. */
    public int blocksDone;
    /** Epochs of block {@code blocksDone} trained (its optimizer state is in the checkpoint). */
    public int epochsDone;
    public long stepsRun;
    public double trainedSeconds;
    public double lastLoss;
    public double lastTrainAccuracy;
    public double samplesPerSecond;
    public List<BlockRecord> blockResults = new ArrayList<>();
    public List<CompressPipeline.ExitResult> exits = new ArrayList<>();
    public double bestSoFar = -1;
    public int flatFor;
    public int skipped;
    public double skippedSeconds;
    /**
     * The run's wall time at its last checkpoint: a continued run's clock goes on from there, so the time between
     * that checkpoint and the stop, and the stop itself, are not counted.
     */
    public double elapsedSeconds;
    /** The run's wall time when each finished block's caching pass was done (NaN: not kept by an older version). */
    public List<Double> blockDoneSeconds = new ArrayList<>();
    /** How many times the run was continued from a checkpoint. */
    public int resumes;
    /** Bytes of the cache files the finished blocks wrote (for the report). */
    public long cacheBytes;
    /**
     * The profile the plan was made from: a resumed run reports its blocks against it, and need not profile again
     * (a minute for resnet18, and figures that differ a little from the ones planned with). Null in a checkpoint
     * written before it was kept; such a run profiles again.
     */
    public SavedProfile profile;
    /** What the process held at rest after profiling, which every predicted peak of the plan includes. */
    public long residentBytes;

    /** A profile's figures; its settings are the run's own, which a resumed run has unchanged. */
    public record SavedProfile(List<UnitProfiler.UnitFigures> units, UnitProfiler.BackpropFigures backprop,
                               boolean memoryMeasured, String memoryMethod, List<String> notes) {
        public static SavedProfile of(UnitProfiler.Profile p) {
            return new SavedProfile(p.units(), p.backprop(), p.memoryMeasured(), p.memoryMethod(), p.notes());
        }

        public UnitProfiler.Profile profile(UnitProfiler.Settings settings) {
            return new UnitProfiler.Profile(settings, units, backprop, memoryMeasured, memoryMethod, notes);
        }
    }

    /** A finished block's report, with memory figures that may be unavailable. */
    public record BlockRecord(Block block, int epochs, Peak trainPeak, Peak cachePeak, double wallSeconds,
                              double lastLoss, double lastTrainAccuracy, double samplesPerSecond, long[] unitRuns) {
        public static BlockRecord of(CompressPipeline.BlockResult r) {
            return new BlockRecord(r.block(), r.epochs(), Peak.of(r.trainPeak()), Peak.of(r.cachePeak()),
                    r.wallSeconds(), r.lastLoss(), r.lastTrainAccuracy(), r.samplesPerSecond(), r.unitRuns());
        }

        public CompressPipeline.BlockResult result() {
            return new CompressPipeline.BlockResult(block, epochs, trainPeak.measurement(), cachePeak.measurement(),
                    wallSeconds, lastLoss, lastTrainAccuracy, samplesPerSecond, unitRuns);
        }
    }

    /** {@link PeakMeasurement} in a form JSON can hold (its accessor refuses an unmeasured figure). */
    public record Peak(boolean available, long bytes, String method, List<String> notes) {
        public static Peak of(PeakMeasurement m) {
            return new Peak(m.available(), m.available() ? m.bytes() : 0, m.method(), m.notes());
        }

        public PeakMeasurement measurement() {
            return available ? PeakMeasurement.measured(bytes, method, notes) : PeakMeasurement.unavailable(method);
        }
    }

    public ObjectNode toJson() {
        return JSON.valueToTree(this);
    }

    public static RunProgress fromJson(JsonNode node, java.nio.file.Path dir) {
        try {
            return JSON.treeToValue(node, RunProgress.class);
        } catch (Exception e) {
            throw new CorruptCheckpointException(dir, "its state cannot be read: " + e.getMessage());
        }
    }

    /** The settings that differ between this run and {@code now}, as "key was A, now B" phrases. */
    public List<String> differences(Map<String, String> now) {
        List<String> d = new ArrayList<>();
        for (var e : now.entrySet()) {
            String was = settings.get(e.getKey());
            if (!e.getValue().equals(was)) d.add(e.getKey() + " was " + (was == null ? "unset" : was) + ", now "
                    + e.getValue());
        }
        for (String k : settings.keySet()) if (!now.containsKey(k)) d.add(k + " was " + settings.get(k) + ", now unset");
        return d;
    }
}
