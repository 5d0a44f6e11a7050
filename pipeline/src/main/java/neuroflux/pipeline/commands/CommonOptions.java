package neuroflux.pipeline.commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.runtime.Device;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.plan.PlannerSettings;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The options profile, plan and compress share: the data, where ONNX Runtime runs, the optimizer (its state is
 * part of every unit's fixed memory) and the budget. Each reader checks its value and names the option in a
 * one-line {@link BadInputException}.
 */
final class CommonOptions {
    static final String DEFAULT_OPTIMIZER = "sgd";
    static final double DEFAULT_WEIGHT_DECAY = 5e-4;

    private CommonOptions() {}

    static Option opt(String name, String arg, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).get();
    }

    static Option flag(String name, String desc) {
        return Option.builder().longOpt(name).desc(desc).get();
    }

    static void addData(Options o) {
        o.addOption(opt("data", "D", "data: " + String.join(", ", neuroflux.stages.data.DataSources.KNOWN)
                + " (default fashion-mnist)"));
        o.addOption(opt("data-dir", "DIR", "folder searched first for the data files"));
        o.addOption(opt("limit-train", "N", "train on at most N samples (validation and test stay whole)"));
        o.addOption(opt("seed", "S", "seed of the data split, batch order, heads and augmentation (default 0)"));
    }

    static void addRuntime(Options o) {
        o.addOption(opt("device", "cpu|cuda", "where ONNX Runtime runs (default cpu)"));
        o.addOption(opt("threads", "N", "ONNX Runtime intra-op threads (default 0: one per core)"));
    }

    static void addOptimizer(Options o) {
        o.addOption(opt("optimizer", "sgd|adamw", "optimizer (default sgd: momentum 0.9, Nesterov); its state is"
                + " part of each unit's memory"));
        o.addOption(opt("weight-decay", "X", "weight decay (default 5e-4)"));
    }

    static void addPlanning(Options o) {
        o.addOption(opt("budget", "SIZE", "memory budget, e.g. 64MiB, 1.5GB (required)"));
        o.addOption(opt("batch-cap", "B", "largest batch size of any block (default "
                + PlannerSettings.DEFAULT_BATCH_CAP + ")"));
        o.addOption(opt("margin", "F", "share of the budget kept free for what the figures miss (default "
                + PlannerSettings.DEFAULT_MARGIN + ")"));
        o.addOption(opt("split", "N,N,..", "fix the blocks' sizes in units instead of the planner's"
                + " choice; each block still gets the largest batch that fits"));
    }

    /** --split 1,2,1: the blocks' sizes in units; null without the option. */
    static java.util.List<Integer> split(CommandLine line) {
        if (!line.hasOption("split")) return null;
        String text = line.getOptionValue("split");
        try {
            return java.util.Arrays.stream(text.split(",")).map(String::strip).map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new neuroflux.onnx.BadInputException("--split must be unit counts separated by commas, such as"
                    + " 2,3,3; not '" + text + "'");
        }
    }

    static long seed(CommandLine line) {
        return (long) TrainCommand.number(line, "seed", 0, -Double.MAX_VALUE, true);
    }

    static DataOptions data(CommandLine line) {
        DataOptions data = DataOptions.defaults().withName(line.getOptionValue("data", DataOptions.DEFAULT_NAME))
                .withSeed(seed(line));
        if (line.hasOption("data-dir")) data = data.withDataDir(Path.of(line.getOptionValue("data-dir")));
        if (line.hasOption("limit-train")) data = data.withLimitTrain(TrainCommand.positive(line, "limit-train", 0));
        return data;
    }

    static RuntimeOptions runtime(CommandLine line) {
        return new RuntimeOptions(Device.parse(line.getOptionValue("device", "cpu")),
                TrainCommand.nonNegative(line, "threads", 0), 0, 0);
    }

    static String optimizerName(CommandLine line) {
        String name = line.getOptionValue("optimizer", DEFAULT_OPTIMIZER).strip().toLowerCase(Locale.ROOT);
        if (!List.of("sgd", "adamw").contains(name)) {
            throw new BadInputException("unknown --optimizer '" + name + "': use sgd or adamw");
        }
        return name;
    }

    static Optimizer optimizer(CommandLine line) {
        double decay = TrainCommand.number(line, "weight-decay", DEFAULT_WEIGHT_DECAY, 0, true);
        return optimizerName(line).equals("sgd") ? new Optimizer.Sgd(0.9, true, decay)
                : Optimizer.AdamW.defaults(decay);
    }

    static Budget budget(CommandLine line) {
        if (!line.hasOption("budget")) throw new BadInputException("--budget SIZE is required (e.g. --budget 128MiB)");
        return Budget.parse(line.getOptionValue("budget"));
    }

    static int batchCap(CommandLine line) {
        return TrainCommand.positive(line, "batch-cap", PlannerSettings.DEFAULT_BATCH_CAP);
    }

    static double margin(CommandLine line) {
        double m = TrainCommand.number(line, "margin", PlannerSettings.DEFAULT_MARGIN, 0, true);
        if (m >= 1) throw new BadInputException("--margin must be below 1, not '" + line.getOptionValue("margin") + "'");
        return m;
    }

    /** The one model file a command takes, or null where it may be left out. */
    static Path modelFile(CommandLine line, boolean optional, String usage) {
        List<String> args = line.getArgList();
        if (args.size() > 1 || (args.isEmpty() && !optional)) {
            throw new BadInputException("expected " + (optional ? "at most " : "") + "one model file, got "
                    + (args.isEmpty() ? "none" : String.join(" ", args)) + " (usage: " + usage + ")");
        }
        return args.isEmpty() ? null : Path.of(args.getFirst());
    }
}
