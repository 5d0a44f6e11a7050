package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import neuroflux.onnx.BadInputException;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.Inputs;
import neuroflux.pipeline.report.CompressReport;
import neuroflux.stages.cache.CacheDtype;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.profile.UnitProfiler;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.RunFolder;
import neuroflux.pipeline.checkpoint.RunProgress;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux compress [MODEL.onnx] --budget B --epochs E --out DIR}: the product. Trains the model block by
 * block under the memory budget with NeuroFlux's adaptive local learning and writes the smallest early-exit model
 * about as accurate as the best, with reports. See {@link CompressPipeline} for the stages.
 */
public final class CompressCommand implements Command {
    static final double DEFAULT_LR = 0.05;
    /**
     * Validation accuracy points an exit may be below the best and still be written: one point, the margin within
     * which the project counts two models as equally accurate (the comparison with backprop uses the same). At 0.5
     * vgg11's runs kept writing an exit 0.6 to 0.8 points below the best but two to four times larger than one that
     * was within a point.
     */
    static final double DEFAULT_EXIT_TOLERANCE = 1.0;

    @Override
    public String name() {
        return "compress";
    }

    @Override
    public String summary() {
        return "train under a memory budget by block-wise local learning and write the best small early-exit model";
    }

    @Override
    public String usage() {
        return "[MODEL.onnx] --budget SIZE --epochs E --out DIR [--data D] [--device cpu|cuda] [--threads N]"
                + " [--limit-train N] [--seed S] [--augment [--augment-views K]] [--optimizer sgd|adamw] [--lr X]"
                + " [--weight-decay X] [--schedule onecycle|cosine] [--cache-dtype float32|float16] [--keep-cache]"
                + " [--exit-tolerance 1] [--stop-when-flat [--flat-margin 0.1] [--flat-blocks 2]] [--resume DIR] [--overwrite]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CommonOptions.addData(o);
        CommonOptions.addRuntime(o);
        CommonOptions.addOptimizer(o);
        CommonOptions.addPlanning(o);
        o.addOption(CommonOptions.opt("epochs", "E", "training epochs of every block (default 1)"));
        o.addOption(CommonOptions.opt("out", "DIR", "output folder: model.onnx and reports (required)"));
        o.addOption(CommonOptions.opt("lr", "X", "peak learning rate (default " + DEFAULT_LR + ")"));
        o.addOption(CommonOptions.opt("lr-batch", "B", "the batch size --lr is for: a block at batch b peaks at"
                + " lr*b/B (linear scaling; default: --lr at every batch size)"));
        o.addOption(CommonOptions.opt("schedule", "S", "learning-rate schedule, restarted per block: onecycle or"
                + " cosine (default onecycle)"));
        o.addOption(CommonOptions.flag("augment", "random crop and flip of training images (the first block every"
                + " epoch; later blocks only with --augment-views)"));
        o.addOption(CommonOptions.opt("augment-views", "K", "cache K augmented views of each training image for"
                + " later blocks, one picked per image and epoch (K times the cache on disk; default 0: none)"));
        o.addOption(CommonOptions.opt("cache-dtype", "T", "float32 or float16 for cached activations (default"
                + " float32)"));
        o.addOption(CommonOptions.flag("keep-cache", "keep DIR/cache after the run"));
        o.addOption(CommonOptions.opt("exit-tolerance", "P", "choose the smallest exit within P validation accuracy"
                + " points of the best (default 1)"));
        o.addOption(CommonOptions.flag("stop-when-flat", "stop training further blocks once the best exit stops"
                + " improving"));
        o.addOption(CommonOptions.opt("flat-margin", "P", "an improvement of at most P points counts as flat"
                + " (default 0.1)"));
        o.addOption(CommonOptions.opt("flat-blocks", "N", "stop after N flat blocks (default 2)"));
        o.addOption(CommonOptions.opt("resume", "DIR", "continue the run that was stopped in DIR, with the settings it"
                + " was started with (rerunning the same command into the same --out does the same)"));
        o.addOption(CommonOptions.flag("overwrite", "start the run again in an --out folder that holds a stopped run,"
                + " even with other settings"));
        return o;
    }

    static CompressPipeline.Settings settings(CommandLine line) {
        Path model = CommonOptions.modelFile(line, true, "neuroflux compress " + new CompressCommand().usage());
        if (!line.hasOption("out")) throw new BadInputException("--out DIR is required");
        String schedule = line.getOptionValue("schedule", "onecycle").strip().toLowerCase(Locale.ROOT);
        if (!List.of("onecycle", "cosine").contains(schedule)) {
            throw new BadInputException("unknown --schedule '" + schedule + "': use onecycle or cosine");
        }
        DataOptions data = CommonOptions.data(line).withAugment(line.hasOption("augment"));
        int views = TrainCommand.nonNegative(line, "augment-views", 0);
        if (views > 0 && !line.hasOption("augment")) {
            throw new BadInputException("--augment-views needs --augment (the views are augmented copies)");
        }
        int cap = CommonOptions.batchCap(line);
        var runtime = CommonOptions.runtime(line);
        var optimizer = CommonOptions.optimizer(line);
        return new CompressPipeline.Settings(model, data, Path.of(line.getOptionValue("out")),
                CommonOptions.budget(line), TrainCommand.positive(line, "epochs", 1), runtime,
                CommonOptions.optimizerName(line), TrainCommand.number(line, "lr", DEFAULT_LR, 0, false),
                TrainCommand.number(line, "weight-decay", CommonOptions.DEFAULT_WEIGHT_DECAY, 0, true), schedule,
                TrainCommand.nonNegative(line, "lr-batch", 0),
                CacheDtype.parse(line.getOptionValue("cache-dtype", "float32")), line.hasOption("keep-cache"),
                TrainCommand.number(line, "exit-tolerance", DEFAULT_EXIT_TOLERANCE, 0, true), line.hasOption("stop-when-flat"),
                TrainCommand.number(line, "flat-margin", 0.1, 0, true), TrainCommand.positive(line, "flat-blocks", 2),
                views, cap, CommonOptions.margin(line), CommonOptions.seed(line),
                UnitProfiler.Settings.defaults(cap, optimizer, runtime), CommonOptions.split(line));
    }

    /**
     * The command line of a run continued with --resume DIR: alone (or with --threads), the arguments the run was
     * started with, read from its checkpoint; with other settings, those, which must then match the run's. The
     * arguments are parsed again with {@code options} (compress's or train's).
     */
    static CommandLine resumed(CommandLine line, Options options) throws Exception {
        Path dir = Path.of(line.getOptionValue("resume"));
        if (line.hasOption("overwrite")) {
            throw new BadInputException("--resume continues a run and --overwrite starts it again: give one of them");
        }
        if (line.hasOption("out") && !Path.of(line.getOptionValue("out")).equals(dir)) {
            throw new BadInputException("--resume " + dir + " and --out " + line.getOptionValue("out")
                    + " name different folders: give one of them");
        }
        CheckpointStore store = new CheckpointStore(dir);
        if (!store.exists()) {
            throw new BadInputException("nothing to resume in " + dir + ": it holds no checkpoint (no run was started"
                    + " there, or it finished)");
        }
        List<String> given = new java.util.ArrayList<>();
        boolean onlyResumeOptions = line.getArgList().isEmpty();
        for (Option o : line.getOptions()) {
            if (!RESUME_ONLY.contains(o.getLongOpt())) onlyResumeOptions = false;
        }
        if (onlyResumeOptions) {
            given.addAll(RunProgress.fromJson(store.read().state(), store.dir()).arguments);
            if (line.hasOption("threads")) {
                // the command line reads an option's first value: the stored one goes, the one given now counts
                int at = given.indexOf("--threads");
                if (at >= 0) given.subList(at, at + 2).clear();
                given.addAll(List.of("--threads", line.getOptionValue("threads")));
            }
        } else {
            given.addAll(arguments(line));
        }
        List<String> withOut = new java.util.ArrayList<>(given);
        int at = withOut.indexOf("--out");
        if (at >= 0) withOut.subList(at, at + 2).clear();
        withOut.addAll(List.of("--out", dir.toString()));
        return new DefaultParser().parse(options, withOut.toArray(String[]::new));
    }

    /** The command line as arguments, the model's path made absolute: what --resume DIR parses again. */
    static List<String> arguments(CommandLine line) {
        List<String> args = new java.util.ArrayList<>();
        for (String a : line.getArgList()) args.add(Path.of(a).toAbsolutePath().toString());
        for (Option o : line.getOptions()) {
            if (List.of("resume", "overwrite", "verbose", "help").contains(o.getLongOpt())) continue;
            args.add("--" + o.getLongOpt());
            if (o.hasArg()) args.add(String.join(",", o.getValues()));
        }
        return args;
    }

    /** Options that do not change what a run computes; with them alone, --resume DIR takes the stored settings. */
    private static final List<String> RESUME_ONLY = List.of("resume", "threads", "verbose", "help");

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.hasOption("resume")) line = resumed(line, options());
        CompressPipeline.Settings s = settings(line);
        if (line.hasOption("overwrite")) RunFolder.clearForNewRun(s.out());
        CompressPipeline.Result r = new CompressPipeline(s, out, err).withArguments(arguments(line)).run();
        CompressReport.printExitTable(r, out);
        CompressReport.write(r, s, s.out());
        new CheckpointStore(s.out()).delete(); // the run is complete: nothing is left to resume
        err.printf("wrote %s, report.json, metrics.json, memory.svg, exits.svg in %s (model %s)%n", "model.onnx",
                s.out(), r.inputs().builtIn() ? Inputs.DEFAULT_MODEL + " built in" : r.inputs().modelFile());
        return 0;
    }
}
