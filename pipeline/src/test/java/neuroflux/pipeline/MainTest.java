package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.ExitStatus;
import neuroflux.pipeline.commands.Command;
import neuroflux.pipeline.config.Configuration;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

class MainTest {
    /** A budget exception as the planner will throw it: bad input, with a status of its own. */
    static final class TooSmall extends BadInputException {
        TooSmall() {
            super("the budget of 1 KiB cannot hold one block");
        }

        @Override
        public int exitStatus() {
            return ExitStatus.BUDGET_TOO_SMALL;
        }
    }

    /** A divergence exception that is not bad input. */
    static final class Diverged extends RuntimeException implements ExitStatus {
        Diverged() {
            super("the loss of block 2 became NaN at step 40");
        }

        @Override
        public int exitStatus() {
            return DIVERGED;
        }
    }

    /** A command that records the line it was given and then does what its --then option says. */
    static final class Probe implements Command {
        CommandLine seen;

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public String summary() {
            return "a test command";
        }

        @Override
        public String usage() {
            return "MODEL.onnx --budget B";
        }

        @Override
        public Options options() {
            return new Options()
                    .addOption(Option.builder().longOpt("budget").hasArg().required().get())
                    .addOption(Option.builder().longOpt("then").hasArg().get())
                    .addOption(Option.builder().longOpt("fp16").get());
        }

        @Override
        public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
            seen = line;
            err.println("progress: started");
            switch (line.getOptionValue("then", "succeed")) {
                case "bad" -> throw new BadInputException("--budget must be a size such as 64MiB");
                case "too-small" -> throw new TooSmall();
                case "diverge" -> throw new Diverged();
                case "diverge-in-a-worker" -> CompletableFuture.runAsync(() -> {
                    throw new Diverged();
                }).get();
                case "crash" -> throw new IllegalStateException("a bug");
                default -> out.println("result: " + line.getOptionValue("budget"));
            }
            return ExitStatus.OK;
        }
    }

    private final Probe probe = new Probe();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> config, String... args) {
        return Main.run(args, print(out), print(err), Configuration.of(config), List.of(probe));
    }

    private int run(String... args) {
        return run(Map.of(), args);
    }

    @Test
    void exitStatusesAreTheDocumentedOnes() {
        assertEquals(0, ExitStatus.OK);
        assertEquals(1, ExitStatus.FAILED);
        assertEquals(2, ExitStatus.BAD_INPUT);
        assertEquals(3, ExitStatus.BUDGET_TOO_SMALL);
        assertEquals(4, ExitStatus.DIVERGED);
        assertEquals(2, new BadInputException("x").exitStatus());
    }

    @Test
    void successPrintsTheResultOnStandardOutputAndProgressOnStandardError() {
        assertEquals(0, run("probe", "m.onnx", "--budget", "64MiB"));
        assertEquals("result: 64MiB\n", text(out));
        assertEquals("progress: started\n", text(err));
    }

    @Test
    void eachFailureEndsWithItsStatusAndOneLine() {
        String[][] cases = {{"bad", "2"}, {"too-small", "3"}, {"diverge", "4"}, {"diverge-in-a-worker", "4"},
                {"crash", "1"}};
        for (String[] c : cases) {
            out.reset();
            err.reset();
            int status = run("probe", "m.onnx", "--budget", "1KiB", "--then", c[0]);
            assertEquals(Integer.parseInt(c[1]), status, c[0] + ": " + text(err));
            List<String> lines = text(err).lines().toList();
            assertEquals(2, lines.size(), c[0] + ": " + text(err));
            assertTrue(lines.get(1).startsWith("neuroflux probe: "), lines.get(1));
            assertEquals("", text(out), c[0]);
        }
    }

    @Test
    void theStatusOfAWrappedExceptionIsFoundInItsCauses() {
        assertEquals(4, Main.exitStatusOf(new ExecutionException(new RuntimeException(new Diverged()))).exitStatus());
        assertEquals(null, Main.exitStatusOf(new ExecutionException(new IllegalStateException())));
    }

    @Test
    void usageMistakesAreBadInput() {
        assertEquals(2, run());
        assertEquals(2, run("no-such-command"));
        assertTrue(text(err).contains("unknown command 'no-such-command'"), text(err));
        err.reset();
        assertEquals(2, run("probe", "m.onnx"));
        assertEquals(1, text(err).lines().count(), text(err));
        assertTrue(text(err).contains("budget"), text(err));
        err.reset();
        assertEquals(2, run("probe", "m.onnx", "--budget", "1", "--no-such-option"));
        assertEquals(1, text(err).lines().count(), text(err));
    }

    @Test
    void helpIsSuccessAndListsTheGlobalOptionsAndExitStatuses() {
        assertEquals(0, run("--help"));
        assertTrue(text(out).contains("probe"), text(out));
        assertTrue(text(out).contains("3 budget cannot be met"), text(out));
        out.reset();
        assertEquals(0, run("probe", "--help"));
        assertTrue(text(out).contains("--budget") && text(out).contains("--verbose"), text(out));
    }

    @Test
    void everyOptionAndTheModelMayComeFromConfigurationAndTheCommandLineWins() {
        Map<String, String> config = Map.of("NEUROFLUX_BUDGET", "64MiB", "neuroflux.fp16", "true",
                "NEUROFLUX_MODEL", "/data/m.onnx", "NEUROFLUX_UNRELATED", "ignored");
        assertEquals(0, run(config, "probe"));
        assertEquals("64MiB", probe.seen.getOptionValue("budget"));
        assertTrue(probe.seen.hasOption("fp16"));
        assertEquals(List.of("/data/m.onnx"), probe.seen.getArgList());

        assertEquals(0, run(config, "probe", "own.onnx", "--budget", "8MiB"));
        assertEquals("8MiB", probe.seen.getOptionValue("budget"));
        assertEquals(List.of("own.onnx"), probe.seen.getArgList());
    }

    @Test
    void badInputFromConfigurationNamesTheKeysThatTookPart() {
        assertEquals(2, run(Map.of("NEUROFLUX_THEN", "bad", "NEUROFLUX_BUDGET", "lots"), "probe", "m.onnx"));
        String line = text(err).lines().toList().getLast();
        assertTrue(line.contains("neuroflux.budget / NEUROFLUX_BUDGET"), line);
        err.reset();
        assertEquals(2, run(Map.of("NEUROFLUX_FP16", "maybe"), "probe", "m.onnx", "--budget", "1"));
        assertEquals(1, text(err).lines().count(), text(err));
        assertTrue(text(err).contains("NEUROFLUX_FP16"), text(err));
    }

    @Test
    void verboseIsAcceptedBeforeTheCommandAmongItsOptionsAndFromConfiguration() {
        assertEquals(0, run("--verbose", "probe", "m.onnx", "--budget", "1"));
        assertEquals(0, run("probe", "m.onnx", "--budget", "1", "--verbose"));
        assertTrue(probe.seen.hasOption("verbose"));
        assertEquals(0, run(Map.of("NEUROFLUX_VERBOSE", "true"), "probe", "m.onnx", "--budget", "1"));
        assertTrue(probe.seen.hasOption("verbose"));
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
