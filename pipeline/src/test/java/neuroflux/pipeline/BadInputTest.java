package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import neuroflux.onnx.Tensor;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.RunProgress;
import neuroflux.pipeline.checkpoint.TestHooks;
import neuroflux.pipeline.config.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mistake a user can make with compress, through {@code Main.run}: one line on standard error that says what
 * is wrong, and the exit status (2 bad input, 3 budget too small, 4 diverged).
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path model;

    record Outcome(int status, String err) {
        /** The error: the last line on standard error, the command's one line about what went wrong. */
        String line() {
            List<String> lines = err.lines().toList();
            assertFalse(lines.isEmpty(), "nothing on standard error");
            String last = lines.getLast();
            assertTrue(last.startsWith("neuroflux"), "the last line is not an error line:\n" + err);
            return last;
        }
    }

    @BeforeAll
    static void writeModel() throws Exception {
        model = TinyCnn.write(dir);
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Configuration.of(Map.of()));
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A small compress run on synthetic data into {@code out}; {@code extra} options replace the ones it has (the
     * command line reads an option's first value) or are added.
     */
    static String[] compress(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("compress", model.toString(), "--data", "synthetic", "--budget",
                "64MiB", "--epochs", "1", "--split", "1,1,1", "--batch-cap", "32", "--threads", "1", "--limit-train",
                "128", "--out", out.toString()));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            boolean valued = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            if (at >= 0 && valued) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
                if (valued) a.add(extra[++i]);
            }
        }
        return a.toArray(String[]::new);
    }

    static void assertBadInput(Outcome o, String... phrases) {
        assertEquals(2, o.status(), o.err());
        String line = o.line();
        for (String p : phrases) assertTrue(line.contains(p), "'" + p + "' missing from: " + line);
    }

    @Test
    void unknownCommand() {
        assertBadInput(run("compres"), "unknown command 'compres'");
    }

    @Test
    void unknownDataset() {
        assertBadInput(run(compress(dir.resolve("o1"), "--data", "mnist-nope")), "mnist-nope");
    }

    @Test
    void unknownMethod() {
        assertBadInput(run(compress(dir.resolve("o2"), "--optimizer", "rmsprop")), "unknown --optimizer 'rmsprop'");
        assertBadInput(run(compress(dir.resolve("o3"), "--schedule", "steps")), "unknown --schedule 'steps'");
    }

    @Test
    void missingData() {
        assertBadInput(run(compress(dir.resolve("o4"), "--data", "imagefolder:" + dir.resolve("no-such-folder"))),
                "no-such-folder", "does not exist");
    }

    @Test
    void missingModel() {
        String[] a = compress(dir.resolve("o5"));
        a[1] = dir.resolve("missing.onnx").toString();
        assertBadInput(run(a), "missing.onnx");
    }

    @Test
    void unreadableData() throws Exception {
        Path images = dir.resolve("broken-images");
        Files.createDirectories(images.resolve("train").resolve("cat"));
        Files.write(images.resolve("train").resolve("cat").resolve("one.png"), new byte[] {1, 2, 3, 4});
        assertBadInput(run(compress(dir.resolve("o17"), "--data", "imagefolder:" + images)), "one.png",
                "is not an image");
    }

    @Test
    void emptyDataset() throws Exception {
        Path images = dir.resolve("empty-images");
        Files.createDirectories(images.resolve("train").resolve("cat"));
        assertBadInput(run(compress(dir.resolve("o6"), "--data", "imagefolder:" + images)), "holds no images");
    }

    @Test
    void zeroTrainingSamples() {
        assertBadInput(run(compress(dir.resolve("o7"), "--limit-train", "0")), "--limit-train");
    }

    @Test
    void malformedBudget() {
        assertBadInput(run(compress(dir.resolve("o8"), "--budget", "lots")), "lots");
    }

    @Test
    void budgetTooSmallSaysTheSmallestThatWorks() {
        Outcome o = run(compress(dir.resolve("o9"), "--budget", "1KiB"));
        assertEquals(3, o.status(), o.err());
        assertTrue(o.line().contains("smallest"), o.line());
    }

    @Test
    void nonPositiveEpochsAndBatchCaps() {
        assertBadInput(run(compress(dir.resolve("o10"), "--epochs", "0")), "--epochs");
        assertBadInput(run(compress(dir.resolve("o11"), "--epochs", "-2")), "--epochs");
        assertBadInput(run(compress(dir.resolve("o12"), "--batch-cap", "0")), "--batch-cap");
    }

    @Test
    void anOutputFolderThatCannotBeWritten() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertBadInput(run(compress(file)), "a-file", "is a file");
        assertBadInput(run(compress(file.resolve("below"))), "cannot write to the output folder");
    }

    @Test
    void tooLittleFreeDiskIsRefusedBeforeTraining() {
        System.setProperty("neuroflux.test.free-disk-bytes", "1000");
        try {
            Outcome o = run(compress(dir.resolve("o13")));
            assertBadInput(o, "the run needs about", "only 1000 B is free");
            assertFalse(o.err().contains("epoch"), "it trained before refusing: " + o.err());
        } finally {
            System.clearProperty("neuroflux.test.free-disk-bytes");
        }
    }

    @Test
    void aLossThatBecomesNanStopsWithStatus4AndNamesBlockAndEpoch() {
        Outcome o = run(compress(dir.resolve("o14"), "--lr", "1e30"));
        assertEquals(4, o.status(), o.err());
        assertTrue(o.line().matches(".*became (NaN|-?Infinity) in block 1, epoch 1.*"), o.line());
    }

    @Test
    void otherSettingsForAStoppedRunAreRefusedUnlessOverwritten() throws Exception {
        Path out = dir.resolve("o15");
        RunProgress stopped = new RunProgress();
        stopped.settings.put("epochs", "5");
        new CheckpointStore(out).write(stopped.toJson(), Map.of("net/x", Tensor.ofFloats(new long[] {1}, 1f)));
        assertBadInput(run(compress(out)), "holds a run with other settings", "epochs was 5, now 1", "--overwrite");
        Outcome overwritten = run(compress(out, "--overwrite"));
        assertEquals(0, overwritten.status(), overwritten.err());
    }

    @Test
    void aDamagedCheckpointIsRefused() throws Exception {
        Path out = dir.resolve("o16");
        new CheckpointStore(out).write(new RunProgress().toJson(), Map.of("net/x",
                Tensor.ofFloats(new long[] {2}, 1f, 2f)));
        Path tensors;
        try (var files = Files.list(out.resolve(CheckpointStore.FOLDER))) {
            tensors = files.filter(p -> p.getFileName().toString().startsWith("tensors-")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(tensors);
        bytes[3] ^= 1;
        Files.write(tensors, bytes);
        assertBadInput(run(compress(out)), "is damaged", "CRC32C");
        assertBadInput(run("compress", "--resume", out.toString()), "is damaged");
    }

    @Test
    void aDiskThatFillsStopsTheRunWithItsLastCheckpointIntact() throws Exception {
        Path reference = dir.resolve("full-reference");
        assertEquals(0, run(compress(reference, "--keep-cache")).status());
        for (String point : List.of("checkpoint:3", "cache:4")) {
            Path out = dir.resolve("full-" + point.replace(':', '-'));
            System.setProperty("neuroflux.test.disk-full-at", point);
            TestHooks.resetWrites();
            Outcome o;
            try {
                o = run(compress(out, "--keep-cache"));
            } finally {
                System.clearProperty("neuroflux.test.disk-full-at");
            }
            assertEquals(1, o.status(), o.err());
            assertTrue(o.line().contains("the disk filled up") && o.line().contains("the last checkpoint is intact"),
                    o.line());
            new CheckpointStore(out).read(); // verified, usable
            Outcome resumed = run("compress", "--resume", out.toString());
            assertEquals(0, resumed.status(), resumed.err());
            assertArrayEquals(Files.readAllBytes(reference.resolve("model.onnx")),
                    Files.readAllBytes(out.resolve("model.onnx")), point);
        }
    }

    @Test
    void resumingAFolderWithoutARun() {
        assertBadInput(run("compress", "--resume", dir.resolve("never-ran").toString()), "nothing to resume");
    }
}
