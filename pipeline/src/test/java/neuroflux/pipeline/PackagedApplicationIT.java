package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged application (target/quarkus-app/quarkus-run.jar) as a process of its own, the way the
 * container's entrypoint starts it, with configuration from environment variables only, and checks its exit
 * statuses and output. Runs in Maven's integration-test phase (failsafe), after package has built the app.
 */
class PackagedApplicationIT {
    private static final Path APP = Path.of(System.getProperty("neuroflux.app",
            "target/quarkus-app/quarkus-run.jar"));

    @TempDir
    Path work;

    record Outcome(int status, String out, String err) {}

    /** Runs the packaged application in {@link #work} with exactly the NEUROFLUX_ variables given. */
    private Outcome neuroflux(Map<String, String> environment, String... args) throws Exception {
        return neuroflux(List.of(), environment, args);
    }

    /** Runs the packaged application with extra JVM options (test hooks) before {@code -jar}. */
    private Outcome neuroflux(List<String> jvmOptions, Map<String, String> environment, String... args)
            throws Exception {
        assumeTrue(Files.isRegularFile(APP), "the packaged application is absent (run mvn verify): " + APP);
        // the JVM options ./neuroflux and the JVM image pass
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx256m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", APP.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        // configuration from this test alone: nothing inherited from the machine may configure neuroflux or Quarkus
        pb.environment().keySet().removeIf(k -> k.startsWith("NEUROFLUX_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(environment);
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("neuroflux " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Outcome(p.exitValue(), read(out), read(err));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheCommandsAndSaysNothingElse() throws Exception {
        Outcome o = neuroflux(Map.of(), "--help");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().startsWith("neuroflux: "), o.out());
        assertTrue(o.out().contains("usage: neuroflux [--verbose] COMMAND"), o.out());
        // quiet by default: no Quarkus banner, no start-up or shut-down lines, no JVM warnings
        assertEquals("", o.err());
    }

    @Test
    void anUnknownCommandIsBadInputInOneLine() throws Exception {
        Outcome o = neuroflux(Map.of(), "no-such-command");
        assertEquals(2, o.status());
        assertEquals("", o.out());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("neuroflux: unknown command 'no-such-command'"), o.err());
    }

    @Test
    void aBadOptionValueFromTheEnvironmentIsBadInputAndNamesTheVariable() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_CLASSES", "ten"), "model", "vgg11", "--input", "3x32x32",
                "--out", "m.onnx");
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().contains("--classes") && o.err().contains("NEUROFLUX_CLASSES"), o.err());
        assertTrue(Files.notExists(work.resolve("m.onnx")));
    }

    @Test
    void aFlagFromTheEnvironmentMustBeTrueOrFalse() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_VERBOSE", "loud"), "version");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("NEUROFLUX_VERBOSE") && o.err().contains("true or false"), o.err());
    }

    @Test
    void aWholeCommandCanBeConfiguredFromTheEnvironment() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_MODEL", "mobilenet_v2:0.25", "NEUROFLUX_INPUT", "1x8x8",
                "NEUROFLUX_CLASSES", "3", "NEUROFLUX_OUT", "out/m.onnx"), "model");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("mobilenet_v2:0.25") && o.out().contains("3 classes"), o.out());
        assertTrue(Files.size(work.resolve("out/m.onnx")) > 0);
        assertEquals("", o.err());
    }

    @Test
    void theCommandLineWinsOverTheEnvironment() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_CLASSES", "ten"), "model", "vgg11", "--input", "1x8x8",
                "--classes", "2", "--out", "m.onnx");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("2 classes"), o.out());
    }

    @Test
    void onnxRuntimeLoadsItsNativeLibrariesFromThePackagedApplication() throws Exception {
        Outcome o = neuroflux(Map.of(), "version");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("ONNX Runtime 1.") && o.out().contains("ran a one-node graph"), o.out());
        assertEquals("", o.err());
    }

    @Test
    void runClassifiesAFixtureWithEverythingFromTheEnvironment() throws Exception {
        Path fixture = Path.of(System.getProperty("neuroflux.fixtures", "../shared/fixtures"), "vgg-small-fmnist");
        assumeTrue(Files.isDirectory(fixture), "no fixtures at " + fixture);
        Outcome o = neuroflux(Map.of("NEUROFLUX_MODEL", fixture.resolve("model.onnx").toString(),
                "NEUROFLUX_INPUT", fixture.resolve("test_data_set_0/input_0.pb").toString(),
                "NEUROFLUX_THREADS", "1"), "run");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().startsWith("logits: 4x10"), o.out());
        assertEquals("", o.err());
    }

    @Test
    void verboseLogsThroughQuarkusToStandardErrorAndLeavesStandardOutputAlone() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_VERBOSE", "true"), "version");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.err().contains("DEBUG") && o.err().contains("exit status 0"), o.err());
        assertEquals(3, o.out().lines().count(), o.out());
    }

    @Test
    void configApplicationPropertiesInTheWorkingDirectoryIsRead() throws Exception {
        Files.createDirectories(work.resolve("config"));
        Files.writeString(work.resolve("config/application.properties"), "neuroflux.classes=ten\n");
        Outcome o = neuroflux(Map.of(), "model", "vgg11", "--input", "3x32x32", "--out", "m.onnx");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("'ten'") && o.err().contains("neuroflux.classes"), o.err());
    }

    private static Path fixtureModel(String name) {
        Path fixture = Path.of(System.getProperty("neuroflux.fixtures", "../shared/fixtures"), name, "model.onnx");
        assumeTrue(Files.isRegularFile(fixture), "no fixture at " + fixture);
        return fixture.toAbsolutePath();
    }

    /** What a workflow step does: a compress configured from the environment alone, read back from known files. */
    @Test
    void compressRunsEndToEndFromTheEnvironment() throws Exception {
        Outcome o = neuroflux(Map.of("NEUROFLUX_MODEL", fixtureModel("resnet8-cifar").toString(),
                "NEUROFLUX_DATA", "synthetic", "NEUROFLUX_BUDGET", "64MiB", "NEUROFLUX_EPOCHS", "1",
                "NEUROFLUX_LIMIT_TRAIN", "256", "NEUROFLUX_THREADS", "1", "NEUROFLUX_OUT", "run"), "compress");
        assertEquals(0, o.status(), o.err());
        Path run = work.resolve("run");
        for (String f : List.of("model.onnx", "report.json", "metrics.json", "memory.svg", "exits.svg")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        var report = neuroflux.pipeline.report.Json.parse(read(run.resolve("report.json")), "report.json");
        assertEquals("neuroflux", report.get("method").asText());
        assertEquals(64L << 20, report.get("budget_bytes").asLong());
        assertTrue(report.get("peak_memory_bytes").asLong() <= 64L << 20, report.toString());
        var metrics = neuroflux.pipeline.report.Json.parse(read(run.resolve("metrics.json")), "metrics.json");
        assertTrue(metrics.size() >= 4, metrics.toString());
        // progress on standard error, the result on standard output
        assertTrue(o.err().contains("block 1"), o.err());
        assertTrue(o.out().contains("selected"), o.out());
    }

    /** Each documented exit status, each from a real command. */
    @Test
    void theDocumentedExitStatusesComeFromRealCommands() throws Exception {
        String model = fixtureModel("resnet8-cifar").toString();
        assertEquals(0, neuroflux(Map.of(), "version").status());
        Outcome bad = neuroflux(Map.of(), "compress", model, "--data", "synthetic", "--budget", "lots", "--epochs",
                "1", "--out", "x");
        assertEquals(2, bad.status(), bad.err());
        Outcome tooSmall = neuroflux(Map.of("NEUROFLUX_BUDGET", "64KiB"), "compress", model, "--data", "synthetic",
                "--epochs", "1", "--limit-train", "64", "--out", "small");
        assertEquals(3, tooSmall.status(), tooSmall.err());
        assertTrue(tooSmall.err().contains("smallest budget that works"), tooSmall.err());
        Outcome diverged = neuroflux(Map.of(), "train", model, "--method", "bp", "--data", "synthetic", "--lr",
                "1e30", "--epochs", "1", "--batch-size", "32", "--out", "nan");
        assertEquals(4, diverged.status(), diverged.err());
        assertTrue(diverged.err().contains("diverged"), diverged.err());
        // 1: a failure that is not the user's, here a disk that fills up (simulated by the run's test hook)
        Outcome failed = neuroflux(List.of("-Dneuroflux.test.disk-full-at=checkpoint:1"), Map.of(), "compress", model,
                "--data", "synthetic", "--budget", "64MiB", "--epochs", "1", "--limit-train", "64", "--out", "full");
        assertEquals(1, failed.status(), failed.err());
        assertTrue(failed.err().contains("the disk filled up"), failed.err());
    }
}
