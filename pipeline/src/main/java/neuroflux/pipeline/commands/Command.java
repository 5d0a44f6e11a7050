package neuroflux.pipeline.commands;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One subcommand of the neuroflux command line. Bad input is thrown as {@code BadInputException} (exit 2);
 * the returned value is the exit status.
 */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The usage after "neuroflux NAME", e.g. "MODEL.onnx --input X.pb". */
    String usage();

    Options options();

    int run(CommandLine line, PrintStream out, PrintStream err) throws Exception;
}
