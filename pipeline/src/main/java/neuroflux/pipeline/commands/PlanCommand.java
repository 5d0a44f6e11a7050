package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.pipeline.Inputs;
import neuroflux.pipeline.Planning;
import neuroflux.pipeline.report.Json;
import neuroflux.pipeline.report.PlanReport;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.plan.PlannerSettings;
import neuroflux.stages.profile.UnitProfiler;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux plan MODEL.onnx --data D --budget B}: profiles the units and prints the blocks they train in
 * under the budget, each with its batch size, predicted peak and time, and the batch size end-to-end backprop
 * would get; with --verify, each block's peak measured over a few real training steps at its batch size. A budget
 * that no plan meets is refused with the smallest one that works.
 */
public final class PlanCommand implements Command {
    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String summary() {
        return "plan blocks and batch sizes under a memory budget (--verify measures each block)";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --budget SIZE [--data D] [--epochs E] [--device cpu|cuda] [--threads N] [--batch-cap 512]"
                + " [--margin 0.1] [--split N,N,..] [--json] [--verify]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CommonOptions.addData(o);
        CommonOptions.addRuntime(o);
        CommonOptions.addOptimizer(o);
        CommonOptions.addPlanning(o);
        o.addOption(CommonOptions.opt("epochs", "E", "epochs per block, for the predicted times (default 1)"));
        o.addOption(CommonOptions.flag("json", "print one JSON object instead of the table"));
        o.addOption(CommonOptions.flag("verify", "measure each block's peak over " + Planning.VERIFY_STEPS
                + " real training steps at its batch size, lowering the batch where it exceeds the usable budget"));
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        Path model = CommonOptions.modelFile(line, false, "neuroflux plan " + usage());
        Budget budget = CommonOptions.budget(line);
        int cap = CommonOptions.batchCap(line);
        double margin = CommonOptions.margin(line);
        int epochs = TrainCommand.positive(line, "epochs", 1);
        Inputs inputs = Inputs.load(model, CommonOptions.data(line), CommonOptions.seed(line),
                Files.createTempFile("neuroflux-default", ".onnx"));
        PlannerSettings planner = new PlannerSettings(budget.bytes(), margin, cap, epochs,
                inputs.data().train().size(), 0, 0);
        // the profile brackets the batch sizes this budget admits
        UnitProfiler.Settings settings = UnitProfiler.Settings.defaults(cap, CommonOptions.optimizer(line),
                CommonOptions.runtime(line)).withBracket(planner.usableBytes());
        PeakMemoryMeter meter = PeakMemoryMeter.forDevice(settings.runtime().device());
        // the profile fits each unit from its own growth; the verification counts from the level at rest before
        // any of it, so that what an earlier block left behind is in a later block's figure
        PeakMemoryMeter atRest = meter.anchoredAtRest();
        err.printf("profiling %d units of %s...%n", inputs.network().size(), inputs.modelName());
        long start = System.nanoTime();
        UnitProfiler.Profile profile = new UnitProfiler(settings, meter).profile(inputs.network());
        double profileSeconds = (System.nanoTime() - start) / 1e9;
        err.printf(java.util.Locale.ROOT, "profiled in %.1f s%n", profileSeconds);
        // what loading the runtime and profiling left resident is in every block's measured figure: predicted too
        planner = planner.withResidentBytes(Planning.residentBytes(atRest));
        Planning planning = Planning.of(profile, planner, CommonOptions.split(line));
        List<Planning.VerifiedBlock> measured = null;
        double verifySeconds = 0;
        if (line.hasOption("verify")) {
            err.println("verifying: measuring each block's peak over real training steps...");
            long verifyStart = System.nanoTime();
            measured = Planning.verify(planning.plan(), profile, inputs.network(), settings.optimizer(),
                    settings.runtime(), atRest, CommonOptions.seed(line));
            verifySeconds = (System.nanoTime() - verifyStart) / 1e9;
        }
        if (line.hasOption("json")) {
            var json = PlanReport.json(planning, profile.plannerMemorySource(), measured);
            json.put("profile_s", profileSeconds);
            if (measured != null) json.put("verify_s", verifySeconds);
            json.set("profile", neuroflux.pipeline.report.ProfileReport.json(profile)); // what the predictions rest on
            Json.print(json, out);
        }
        else PlanReport.printTable(planning, profile.plannerMemorySource(), measured, out);
        return 0;
    }
}
