package neuroflux.pipeline.baselines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.checkpoint.CorruptCheckpointException;
import neuroflux.pipeline.checkpoint.RunProgress;

/**
 * Where a baseline run stands, as its checkpoint's manifest keeps it: the settings and arguments it was started
 * with, the batch size it verified (kept, not measured again: a resumed run must train at the same batch), how many
 * epochs are done and steps run, the wall and training time up to the last checkpoint, the highest training peak
 * measured so far, the history and the last evaluation of the exits. Mutable, as {@link RunProgress} is: the run
 * updates it after each epoch, and every few minutes within one, and the checkpoint writes a snapshot.
 */
public final class BaselineProgress {
    private static final ObjectMapper JSON = RunProgress.manifestJson();

    /** What determines the run's result, by option name: a resumed run must have the same. */
    public Map<String, String> settings = new LinkedHashMap<>();
    /** The command line's arguments, so that {@code --resume DIR} alone can continue the run. */
    public List<String> arguments = new ArrayList<>();
    public int batch;
    public int plannedBatch;
    public RunProgress.Peak verifiedPeak;
    public int epochsDone;
    /** Batches of the epoch in progress (epoch {@code epochsDone + 1}) done when a checkpoint was written in it. */
    public int batchesDone;
    /** The loss summed over those batches' samples, and their count: the epoch's mean loss goes on from them. */
    public double epochLossSum;
    public long epochSamples;
    public long stepsRun;
    /** The run's wall time when its last checkpoint was written (profiling and evaluations included). */
    public double elapsedSeconds;
    /** Training time (the epochs, without their evaluations) up to the last checkpoint. */
    public double trainSeconds;
    /** The highest training peak measured so far, over every process of the run; null before the first epoch. */
    public RunProgress.Peak trainPeak;
    public List<HistoryPoint> history = new ArrayList<>();
    public List<CompressPipeline.ExitResult> exits = new ArrayList<>();
    /** How many times the run was continued from a checkpoint. */
    public int resumes;

    public VerifiedBatch verifiedBatch() {
        return new VerifiedBatch(plannedBatch, batch, verifiedPeak.measurement());
    }

    public ObjectNode toJson() {
        return JSON.valueToTree(this);
    }

    public static BaselineProgress fromJson(JsonNode node, Path dir) {
        try {
            return JSON.treeToValue(node, BaselineProgress.class);
        } catch (Exception e) {
            throw new CorruptCheckpointException(dir, "its state cannot be read as a baseline run's: "
                    + e.getMessage());
        }
    }

    /** Whether the state holds what a baseline run writes (a compress run's checkpoint has no batch size). */
    public boolean complete() {
        return batch >= 1 && verifiedPeak != null;
    }

    /** The settings that differ between this run and {@code now}, as "key was A, now B" phrases. */
    public List<String> differences(Map<String, String> now) {
        RunProgress compared = new RunProgress();
        compared.settings.putAll(settings);
        return compared.differences(now);
    }
}
