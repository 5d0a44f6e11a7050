package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs of the command line in a child JVM that a test kills with SIGKILL at a chosen point: the child halts there
 * through {@code NEUROFLUX_TEST_HALT_AT} ({@code TestHooks}) and says so, so that each kill lands exactly there.
 */
public final class KilledRuns {
    private KilledRuns() {}

    /** Starts the command in a child JVM, halting at {@code haltAt} (NAME:N) where it is not null. */
    public static Process start(List<String> args, String haltAt) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().keySet().removeIf(k -> k.startsWith("NEUROFLUX_"));
        if (haltAt != null) b.environment().put("NEUROFLUX_TEST_HALT_AT", haltAt);
        return b.start();
    }

    /** Starts the command halting at {@code point}, waits until it says it halted there, and kills it. */
    public static void killAt(String point, List<String> command) throws Exception {
        Process p = start(command, point);
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> halted = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    if (line.startsWith("HALTED ")) return true;
                }
            } catch (java.io.IOException e) {
                return false;
            }
            return false;
        });
        boolean reached;
        try {
            reached = halted.get(120, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(reached, "the run never reached " + point + ":\n" + seen);
    }

    /** Runs the command to its end in a child JVM; returns its exit status and standard error. */
    public static Finished finish(List<String> args) throws Exception {
        Process p = start(args, null);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not end:\n" + stderr);
        return new Finished(p.exitValue(), stderr);
    }

    public record Finished(int status, String stderr) {}
}
