package neuroflux.pipeline.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neuroflux.pipeline.KilledRuns;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.TinyCnn;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.report.Json;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills a baseline's training with SIGKILL in its second epoch, refuses to continue it with other settings, then
 * continues it with {@code --resume DIR} and checks that it ends with the same model, byte for byte, as a run that
 * was never stopped, having trained only the epoch the kill cut short.
 */
class BaselineResumeTest {
    @TempDir
    Path dir;

    // a fixed batch: a verified batch comes from measured memory, which may differ between two processes, and a
    // different batch is a different model, not a resume fault; 200 samples at 16 are 12 steps an epoch
    static List<String> args(Path model, String method, Path out, String lr) {
        return List.of("train", model.toString(), "--method", method, "--data", "synthetic", "--limit-train", "200",
                "--budget", "1GiB", "--batch-size", "16", "--epochs", "2", "--threads", "1", "--seed", "5", "--lr", lr,
                "--out", out.toString());
    }

    /** The same run never stopped, into dir/reference: what a continued run must end with. */
    private Path uninterrupted(Path model, String method) throws Exception {
        Path reference = dir.resolve("reference");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(log);
        assertEquals(0, Main.run(args(model, method, reference, "0.05").toArray(String[]::new), quiet, quiet),
                log::toString);
        return reference;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bp", "bp-checkpoint", "ll"})
    void aBaselineKilledInItsSecondEpochEndsWithTheSameModelAsOneNeverStopped(String method) throws Exception {
        Path model = TinyCnn.write(dir);
        Path reference = uninterrupted(model, method);
        assertFalse(Files.exists(reference.resolve(CheckpointStore.FOLDER)), "a finished run keeps no checkpoint");

        Path out = dir.resolve("killed");
        KilledRuns.killAt("baseline-step:20", args(model, method, out, "0.05"));
        assertTrue(new CheckpointStore(out).exists(), "no checkpoint after the first epoch");

        ByteArrayOutputStream refusal = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        int status = Main.run(args(model, method, out, "0.1").toArray(String[]::new), quiet,
                new PrintStream(refusal));
        assertEquals(2, status, refusal::toString);
        assertTrue(refusal.toString().contains("holds a run with other settings (lr was 0.05, now 0.1)"),
                refusal.toString());

        KilledRuns.Finished resumed = KilledRuns.finish(List.of("train", "--resume", out.toString()));
        assertEquals(0, resumed.status(), resumed.stderr());
        assertTrue(resumed.stderr().contains("resuming the run in " + out + ": 1 of 2 epochs done, batch 16"),
                resumed.stderr());
        assertFalse(resumed.stderr().contains("epoch 1/2"), "the finished epoch was trained again:\n"
                + resumed.stderr());
        assertArrayEquals(Files.readAllBytes(reference.resolve("model.onnx")), Files.readAllBytes(out.resolve(
                "model.onnx")), "the resumed run's model differs from the uninterrupted run's");
        JsonNode report = Json.parse(Files.readString(out.resolve("report.json")), "report");
        assertEquals(1, report.get("resumes").asInt());
        assertEquals(2, report.get("history").size(), "one history point per epoch, the first from the stopped run");
        List<Double> times = new ArrayList<>();
        for (JsonNode p : report.get("history")) times.add(p.get("wall_time_s").asDouble());
        assertTrue(times.get(0) < times.get(1) && times.get(1) <= report.get("wall_time_s").asDouble(),
                "the wall clock goes on from the stopped run's: " + times + ", " + report.get("wall_time_s"));
        assertFalse(Files.exists(out.resolve(CheckpointStore.FOLDER)), "a finished run keeps no checkpoint");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bp", "bp-checkpoint", "ll"})
    void aBaselineKilledWithinAnEpochGoesOnFromItsLastStepCheckpointToTheSameModel(String method) throws Exception {
        Path model = TinyCnn.write(dir);
        Path reference = uninterrupted(model, method);

        // a checkpoint after nearly every step (0.000001 minutes); killed at step 8 of the first epoch's 12
        Path out = dir.resolve("killed");
        List<String> command = new ArrayList<>(args(model, method, out, "0.05"));
        command.addAll(List.of("--checkpoint-minutes", "0.000001"));
        KilledRuns.killAt("baseline-step:8", command);
        CheckpointStore store = new CheckpointStore(out);
        assertTrue(store.exists(), "no checkpoint within the first epoch");
        BaselineProgress stopped = BaselineProgress.fromJson(store.read().state(), store.dir());
        assertEquals(0, stopped.epochsDone);
        assertTrue(stopped.batchesDone >= 1 && stopped.batchesDone < 8, "steps done at the last checkpoint: "
                + stopped.batchesDone);
        assertEquals(stopped.batchesDone, stopped.stepsRun);
        assertEquals(16L * stopped.batchesDone, stopped.epochSamples);

        KilledRuns.Finished resumed = KilledRuns.finish(List.of("train", "--resume", out.toString()));
        assertEquals(0, resumed.status(), resumed.stderr());
        assertTrue(resumed.stderr().contains("0 of 2 epochs done, batch 16; epoch 1 goes on after its step "
                + stopped.batchesDone), resumed.stderr());
        assertArrayEquals(Files.readAllBytes(reference.resolve("model.onnx")), Files.readAllBytes(out.resolve(
                "model.onnx")), "the resumed run's model differs from the uninterrupted run's");
        JsonNode report = Json.parse(Files.readString(out.resolve("report.json")), "report");
        JsonNode uninterrupted = Json.parse(Files.readString(reference.resolve("report.json")), "report");
        assertEquals(1, report.get("resumes").asInt());
        assertEquals(2, report.get("history").size());
        assertEquals(uninterrupted.get("test_accuracy").asDouble(), report.get("test_accuracy").asDouble());
        assertFalse(Files.exists(out.resolve(CheckpointStore.FOLDER)), "a finished run keeps no checkpoint");
    }

    @org.junit.jupiter.api.Test
    void neurofluxContinuedAfterAKillKeepsEveryBlockInItsHistoryAndItsClock() throws Exception {
        Path model = TinyCnn.write(dir);
        Path out = dir.resolve("neuroflux");
        // several blocks (ResumeAfterKillTest's settings); killed in block 2's first epoch
        List<String> command = List.of("train", model.toString(), "--method", "neuroflux", "--data", "synthetic",
                "--limit-train", "200", "--budget", "1GiB", "--epochs", "2", "--split", "1,1,1", "--batch-cap", "32",
                "--threads", "1", "--seed", "5", "--out", out.toString());
        KilledRuns.killAt("training-step:20", command);
        KilledRuns.Finished resumed = KilledRuns.finish(List.of("train", "--resume", out.toString()));
        assertEquals(0, resumed.status(), resumed.stderr());
        assertTrue(resumed.stderr().contains("resuming the run"), resumed.stderr());

        JsonNode report = Json.parse(Files.readString(out.resolve("report.json")), "report");
        assertEquals(1, report.get("resumes").asInt());
        int blocks = report.get("blocks").size();
        assertTrue(blocks >= 2, "the run must have several blocks for this test: " + blocks);
        assertEquals(blocks, report.get("history").size(), "one history point per block, the first from the"
                + " stopped run: " + report.get("history"));
        List<Double> times = new ArrayList<>();
        for (JsonNode p : report.get("history")) times.add(p.get("wall_time_s").asDouble());
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i - 1) < times.get(i), "history times must rise: " + times);
        }
        assertTrue(times.getLast() <= report.get("wall_time_s").asDouble(), "the wall clock goes on from the"
                + " stopped run's: " + times + ", " + report.get("wall_time_s"));
    }
}
