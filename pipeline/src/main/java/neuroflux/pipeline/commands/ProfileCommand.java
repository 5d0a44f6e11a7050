package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.pipeline.Inputs;
import neuroflux.pipeline.report.Json;
import neuroflux.pipeline.report.ProfileReport;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.profile.UnitProfiler;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux profile MODEL.onnx --data D}: cuts the model into units with their exits and measures each
 * unit's training step and caching pass (memory at two batch sizes, predicted and measured; time per sample), and
 * the whole model's backpropagation step: the figures the planner works from.
 */
public final class ProfileCommand implements Command {
    @Override
    public String name() {
        return "profile";
    }

    @Override
    public String summary() {
        return "measure each unit's memory and time (and end-to-end backprop's) for the planner";
    }

    @Override
    public String usage() {
        return "MODEL.onnx [--data D] [--device cpu|cuda] [--threads N] [--optimizer sgd|adamw] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CommonOptions.addData(o);
        CommonOptions.addRuntime(o);
        CommonOptions.addOptimizer(o);
        o.addOption(CommonOptions.opt("batch-cap", "B", "batch size the static plan predicts at besides 1"
                + " (default 512)"));
        o.addOption(CommonOptions.flag("json", "print one JSON object instead of the table"));
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        Path model = CommonOptions.modelFile(line, false, "neuroflux profile " + usage());
        Inputs inputs = Inputs.load(model, CommonOptions.data(line), CommonOptions.seed(line),
                Files.createTempFile("neuroflux-default", ".onnx"));
        UnitProfiler.Settings settings = UnitProfiler.Settings.defaults(CommonOptions.batchCap(line),
                CommonOptions.optimizer(line), CommonOptions.runtime(line));
        err.printf("profiling %d units of %s...%n", inputs.network().size(), inputs.modelName());
        UnitProfiler.Profile profile = new UnitProfiler(settings,
                PeakMemoryMeter.forDevice(settings.runtime().device())).profile(inputs.network());
        if (line.hasOption("json")) Json.print(ProfileReport.json(profile), out);
        else ProfileReport.printTable(profile, out);
        return 0;
    }
}
