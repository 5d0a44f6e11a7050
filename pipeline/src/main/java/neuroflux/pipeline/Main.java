package neuroflux.pipeline;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.ExitStatus;
import neuroflux.pipeline.commands.Command;
import neuroflux.pipeline.config.Configuration;
import neuroflux.pipeline.config.ConfiguredArguments;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.jboss.logging.Logger;

/**
 * The neuroflux command line: dispatches to a subcommand, completes its options from configuration, and turns
 * errors into one line and an exit status (see {@link ExitStatus}). Results go to {@code out}, progress and errors
 * to {@code err}. It runs the same inside the Quarkus application ({@link NeurofluxApplication}) and on its own.
 */
public final class Main {
    public static final int OK = ExitStatus.OK;
    public static final int FAILED = ExitStatus.FAILED;
    public static final int BAD_INPUT = ExitStatus.BAD_INPUT;
    public static final int BUDGET_TOO_SMALL = ExitStatus.BUDGET_TOO_SMALL;
    public static final int DIVERGED = ExitStatus.DIVERGED;

    /** The global flag, accepted before the command name or among its options. */
    static final String VERBOSE = "verbose";

    private static final Logger LOG = Logger.getLogger(Main.class);

    private Main() {}

    /** Every subcommand, in the order --help lists them. */
    static List<Command> commands() {
        return Commands.ALL.get();
    }

    /** Runs without Quarkus; configuration then comes from the environment alone. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line with configuration from the environment ({@code NEUROFLUX_BUDGET=...}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Configuration.environment());
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Configuration config) {
        return run(args, out, err, config, commands());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Configuration config, List<Command> commands) {
        int first = 0;
        while (first < args.length && args[first].equals("--" + VERBOSE)) first++;
        if (first > 0) Verbosity.verbose();
        args = Arrays.copyOfRange(args, first, args.length);
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printOverview(commands, out);
            return args.length == 0 ? BAD_INPUT : OK;
        }
        String name = args[0];
        Command command = commands.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (command == null) {
            err.println("neuroflux: unknown command '" + name + "' (commands: "
                    + String.join(", ", commands.stream().map(Command::name).toList()) + "; see neuroflux --help)");
            return BAD_INPUT;
        }
        return dispatch(command, Arrays.copyOfRange(args, 1, args.length), out, err, config);
    }

    private static int dispatch(Command command, String[] rest, PrintStream out, PrintStream err,
            Configuration config) {
        Options options = withGlobalOptions(command.options());
        List<String> fromConfiguration = List.of();
        try {
            ConfiguredArguments completed = ConfiguredArguments.complete(options, command.positionalKey(), rest,
                    config);
            if (completed.given().hasOption("help")) {
                printHelp(command, out);
                return OK;
            }
            fromConfiguration = completed.keys();
            CommandLine line = new DefaultParser().parse(options, completed.arguments());
            if (line.hasOption(VERBOSE)) Verbosity.verbose();
            if (!fromConfiguration.isEmpty()) {
                LOG.debugf("%s: from configuration: %s", command.name(), String.join(", ", fromConfiguration));
            }
            LOG.debugf("%s: arguments %s", command.name(), Arrays.asList(completed.arguments()));
            long start = System.nanoTime();
            int status = command.run(line, out, err);
            LOG.debugf("%s: exit status %d after %d ms", command.name(), status,
                    (System.nanoTime() - start) / 1_000_000);
            return status;
        } catch (ParseException e) {
            err.println("neuroflux " + command.name() + ": " + e.getMessage() + configurationNote(fromConfiguration)
                    + " (see neuroflux " + command.name() + " --help)");
            return BAD_INPUT;
        } catch (OutOfMemoryError e) {
            err.println("neuroflux " + command.name() + ": out of Java heap memory; raise it with JAVA_OPTS=-Xmx...");
            return FAILED;
        } catch (Exception e) {
            ExitStatus status = exitStatusOf(e);
            if (status != null) {
                Throwable reported = (Throwable) status;
                LOG.debugf(reported, "%s: ended with exit status %d", command.name(), status.exitStatus());
                err.println("neuroflux " + command.name() + ": " + reported.getMessage()
                        + configurationNote(fromConfiguration));
                return status.exitStatus();
            }
            LOG.debugf(e, "%s: failed", command.name());
            err.println("neuroflux " + command.name() + ": failed: " + e
                    + (Verbosity.isVerbose() ? "" : " (--verbose shows where)"));
            if (System.getenv("NEUROFLUX_DEBUG") != null) e.printStackTrace(err);
            return FAILED;
        }
    }

    /** The command's own options and the global ones (help, verbose), without replacing an option it declares. */
    private static Options withGlobalOptions(Options options) {
        if (!options.hasLongOption("help")) {
            options.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        }
        if (!options.hasLongOption(VERBOSE)) {
            options.addOption(Option.builder().longOpt(VERBOSE).desc("log what neuroflux does in more detail").get());
        }
        return options;
    }

    /**
     * The exception, or the first of its causes, that chooses an exit status: work done on other threads
     * arrives wrapped (ExecutionException, CompletionException) and must still exit with its own status.
     */
    static ExitStatus exitStatusOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExitStatus s) return s;
        }
        return null;
    }

    /** Names the configuration that took part, since a user who did not type an option may not know it was set. */
    private static String configurationNote(List<String> keys) {
        if (keys.isEmpty()) return "";
        return " (set from configuration: " + String.join(", ", keys.stream().map(Configuration::describe).toList())
                + ")";
    }

    static void printOverview(List<Command> commands, PrintStream out) {
        out.println("neuroflux: compresses an ONNX CNN by block-wise adaptive local learning under a memory budget");
        out.println();
        out.println("usage: neuroflux [--verbose] COMMAND [OPTIONS]");
        out.println();
        out.println("commands:");
        for (Command c : commands) out.printf("  %-10s %s%n", c.name(), c.summary());
        out.println();
        out.println("neuroflux COMMAND --help explains a command. Every option --NAME can also be set as");
        out.println("neuroflux.NAME in application.properties or NEUROFLUX_NAME in the environment; the command line");
        out.println("wins.");
        out.println("Exit status: 0 success, 1 failure, 2 bad input, 3 budget cannot be met, 4 training diverged.");
    }

    static void printHelp(Command c, PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        String footer = "Each option --NAME can also be set as neuroflux.NAME (application.properties) or"
                + " NEUROFLUX_NAME (environment)" + (c.positionalKey() == null ? "" : ", the positional argument as "
                + Configuration.describe(c.positionalKey())) + "; the command line wins.";
        new HelpFormatter().printHelp(w, 100, "neuroflux " + c.name() + " " + c.usage(), c.summary(),
                withGlobalOptions(c.options()), 2, 2, footer);
        w.flush();
    }
}
