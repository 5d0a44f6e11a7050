package neuroflux.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import neuroflux.pipeline.commands.Command;

/** The registry of subcommands, in the order --help lists them: add a new command's constructor here. */
final class Commands {
    static final Supplier<List<Command>> ALL = Commands::all;

    private Commands() {}

    private static List<Command> all() {
        List<Command> all = new ArrayList<>();
        all.add(new neuroflux.pipeline.commands.ModelCommand());
        all.add(new neuroflux.pipeline.commands.InspectCommand());
        all.add(new neuroflux.pipeline.commands.RunCommand());
        all.add(new neuroflux.pipeline.commands.GradcheckCommand());
        all.add(new neuroflux.pipeline.commands.TrainCommand());
        all.add(new neuroflux.pipeline.commands.ProfileCommand());
        all.add(new neuroflux.pipeline.commands.PlanCommand());
        all.add(new neuroflux.pipeline.commands.CompressCommand());
        all.add(new neuroflux.pipeline.commands.CompareCommand());
        all.add(new neuroflux.pipeline.commands.VersionCommand());
        return all;
    }
}
