package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.stages.cache.CachedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills {@code compress} with SIGKILL at chosen points (during an epoch, while a cache file is written, while a
 * checkpoint's tensor file and its manifest are written), continues it each time, and checks that it ends with
 * the same model, byte for byte, as a run that was never stopped, and that no file it left was damaged. The child
 * halts at a point through {@code NEUROFLUX_TEST_HALT_AT} and says so, so that each kill lands exactly there.
 */
class ResumeAfterKillTest {
    @TempDir
    Path dir;

    // The budget is far above what the tiny model needs at the batch cap, so both runs plan batch 32 for every
    // block: a plan from measured memory may differ between two processes (the in-process reference run shares
    // this test JVM's heap), and a different batch size is a different model, not a resume fault.
    List<String> args(Path model, Path out) {
        return List.of("compress", model.toString(), "--data", "synthetic", "--limit-train", "200", "--budget",
                "1GiB", "--epochs", "2", "--split", "1,1,1", "--batch-cap", "32", "--threads", "1", "--seed", "5",
                "--out", out.toString());
    }

    @Test
    void aRunKilledAtAnyPointEndsWithTheSameModelAsOneNeverStopped() throws Exception {
        Path model = TinyCnn.write(dir);
        Path reference = dir.resolve("reference");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(log);
        assertEquals(0, Main.run(args(model, reference).toArray(String[]::new), quiet, quiet), log::toString);

        Path out = dir.resolve("killed");
        List<String> command = args(model, out);
        // block 2, epoch 1; then block 2's first cache file; then its "done" checkpoint's tensors; then the
        // manifest of block 3's first checkpoint
        for (String point : List.of("training-step:20", "cache-write:1", "checkpoint-write:1", "manifest-write:2")) {
            KilledRuns.killAt(point, command);
            assertCheckpointAndCachesIntact(out);
        }
        // the last checkpoint is "block 2 done": block 3 reads block 2's cache, which a damaged disk truncated
        Path damaged = out.resolve("cache").resolve("block2-validation.cache");
        try (var ch = java.nio.channels.FileChannel.open(damaged, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        KilledRuns.Finished last = KilledRuns.finish(List.of("compress", "--resume", out.toString()));
        String stderr = last.stderr();
        assertEquals(0, last.status(), stderr);
        assertTrue(stderr.contains("resuming the run"), stderr);
        assertTrue(stderr.contains("rebuilding cache block2-validation.cache"), stderr);
        assertFalse(stderr.contains("profiling units"), "the resumed run profiled again instead of keeping the"
                + " profile its plan was made from:\n" + stderr);
        assertFalse(stderr.contains("block 1 epoch") || stderr.contains("block 2 epoch"),
                "finished blocks were trained again:\n" + stderr);

        assertEquals(batchSizes(reference), batchSizes(out), "the two runs planned different batch sizes");
        assertArrayEquals(Files.readAllBytes(reference.resolve("model.onnx")), Files.readAllBytes(out.resolve(
                "model.onnx")), "the resumed run's model differs from the uninterrupted run's");
        assertFalse(Files.exists(out.resolve(CheckpointStore.FOLDER)), "a finished run keeps no checkpoint");
        try (var files = Files.walk(out)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".partial")), "a temporary file was left");
        }
    }

    /** The blocks' batch sizes as report.json gives them. */
    private static List<String> batchSizes(Path out) throws Exception {
        var m = java.util.regex.Pattern.compile("\"batch_size\"\\s*:\\s*(\\d+)")
                .matcher(Files.readString(out.resolve("report.json")));
        List<String> sizes = new ArrayList<>();
        while (m.find()) sizes.add(m.group(1));
        assertFalse(sizes.isEmpty(), "report.json names no batch size");
        return sizes;
    }

    /** Whatever a kill left: the checkpoint (where one exists) and every cache file pass their checks. */
    private static void assertCheckpointAndCachesIntact(Path out) throws Exception {
        CheckpointStore store = new CheckpointStore(out);
        if (store.exists()) store.read();
        Path cache = out.resolve("cache");
        if (!Files.isDirectory(cache)) return;
        try (var files = Files.list(cache)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cache")).toList()) {
                CachedDataset.open(f, TinyCnn.CLASSES, true).close();
            }
        }
    }
}
