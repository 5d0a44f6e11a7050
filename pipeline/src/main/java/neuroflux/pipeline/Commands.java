package neuroflux.pipeline;

import java.util.List;
import java.util.function.Supplier;
import neuroflux.pipeline.commands.Command;

/** The registry of subcommands: add a new command's constructor here. */
final class Commands {
    static final Supplier<List<Command>> ALL = () -> List.of(
            new neuroflux.pipeline.commands.ModelCommand(),
            new neuroflux.pipeline.commands.VersionCommand()
    );

    private Commands() {}
}
