package neuroflux.pipeline;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.pipeline.commands.Command;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** The neuroflux command line: dispatches to a subcommand and turns errors into one line and an exit status. */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private Main() {}

    /** Every subcommand, in the order --help lists them. */
    static List<Command> commands() {
        return Commands.ALL.get();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printOverview(out);
            return args.length == 0 ? BAD_INPUT : OK;
        }
        Command command = commands().stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("neuroflux: unknown command '" + args[0] + "' (commands: "
                    + String.join(", ", commands().stream().map(Command::name).toList()) + "; see neuroflux --help)");
            return BAD_INPUT;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        Options options = command.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        try {
            CommandLine line = new DefaultParser().parse(options, rest);
            if (line.hasOption("help")) {
                printHelp(command, out);
                return OK;
            }
            return command.run(line, out, err);
        } catch (ParseException e) {
            err.println("neuroflux " + command.name() + ": " + e.getMessage() + " (see neuroflux " + command.name()
                    + " --help)");
            return BAD_INPUT;
        } catch (BadInputException e) {
            err.println("neuroflux " + command.name() + ": " + e.getMessage());
            return BAD_INPUT;
        } catch (OutOfMemoryError e) {
            err.println("neuroflux " + command.name() + ": out of Java heap memory; raise it with JAVA_OPTS=-Xmx...");
            return FAILED;
        } catch (Exception e) {
            err.println("neuroflux " + command.name() + ": failed: " + e);
            if (System.getenv("NEUROFLUX_DEBUG") != null) e.printStackTrace(err);
            return FAILED;
        }
    }

    static void printOverview(PrintStream out) {
        out.println("neuroflux: compresses an ONNX CNN by block-wise adaptive local learning under a memory budget");
        out.println();
        out.println("usage: neuroflux COMMAND [OPTIONS]");
        out.println();
        out.println("commands:");
        for (Command c : commands()) out.printf("  %-10s %s%n", c.name(), c.summary());
        out.println();
        out.println("neuroflux COMMAND --help explains a command. Exit status: 0 success, 2 bad input, 1 failure.");
    }

    static void printHelp(Command c, PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        new HelpFormatter().printHelp(w, 100, "neuroflux " + c.name() + " " + c.usage(), c.summary(), c.options(),
                2, 2, "");
        w.flush();
    }
}
