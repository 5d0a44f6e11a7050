package neuroflux.pipeline.commands;

import java.io.PrintStream;
import neuroflux.pipeline.config.ConfiguredArguments;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One subcommand of the neuroflux command line. Bad input is thrown as {@code BadInputException} (exit 2), and
 * any exception implementing {@code neuroflux.onnx.ExitStatus} ends the command with its status; otherwise the
 * returned value is the exit status. Every option with a long name can also come from configuration
 * ({@code neuroflux.<long-name>}); the dispatch adds it before parsing, so a command need not know.
 */
public interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The usage after "neuroflux NAME", e.g. "MODEL.onnx --input X.pb". */
    String usage();

    Options options();

    int run(CommandLine line, PrintStream out, PrintStream err) throws Exception;

    /**
     * The configuration key that supplies this command's positional argument when the command line has none
     * ({@code neuroflux.model}, i.e. {@code NEUROFLUX_MODEL}); null for a command that takes no positional
     * arguments, so that a model configured for a whole workflow does not reach it.
     */
    default String positionalKey() {
        return ConfiguredArguments.MODEL_KEY;
    }
}
