package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.InferenceThroughput;
import neuroflux.pipeline.report.CompareReport;
import neuroflux.pipeline.report.Json;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux compare MODEL.onnx --budget B --epochs E --methods bp,bp-checkpoint,ll,neuroflux --out DIR}:
 * runs the methods one after another with the same options (data, split, seed, budget, epochs, optimizer,
 * schedule), each as {@code train --method M --out DIR/M}, then measures each written model's inference
 * throughput and writes compare.json, compare.md and accuracy-vs-time.svg.
 *
 * <p>A comparison runs for hours, so a stopped one is not started over: each method's folder records the train
 * arguments it was started with, and a method whose folder already holds a finished run (its report.json) with the
 * same arguments is read, not trained again. A folder holding a run with other arguments is refused rather than
 * overwritten.
 */
public final class CompareCommand implements Command {
    static final String DEFAULT_METHODS = "bp,bp-checkpoint,ll,neuroflux";
    /** Options of compare's own, not passed on to train. */
    private static final List<String> OWN = List.of("methods", "target-accuracy", "out", "method");
    /** The train arguments a method's run was started with, one per line, in the method's folder. */
    static final String ARGUMENTS_FILE = "compare-arguments.txt";

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "train several methods under the same budget and compare accuracy, time, memory and model size";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --budget SIZE --epochs E --out DIR [--methods " + DEFAULT_METHODS + "] [--data D]"
                + " [--target-accuracy X] [--limit-train N] [--seed S] [--threads N] [train's and compress's options]";
    }

    @Override
    public Options options() {
        Options o = new TrainCommand().options();
        o.addOption(CommonOptions.opt("methods", "M,M,..", "methods to run, in order (default " + DEFAULT_METHODS
                + ")"));
        o.addOption(CommonOptions.opt("target-accuracy", "X", "test accuracy (0..1) for time-to-target (default:"
                + " the lowest final test accuracy among the methods)"));
        return o;
    }

    static List<String> methods(CommandLine line) {
        List<String> methods = new ArrayList<>();
        for (String m : line.getOptionValue("methods", DEFAULT_METHODS).split(",")) {
            String name = m.strip().toLowerCase(Locale.ROOT);
            if (!BudgetedTraining.METHODS.contains(name)) {
                throw new BadInputException("unknown method '" + name + "' in --methods: use "
                        + String.join(", ", BudgetedTraining.METHODS));
            }
            if (methods.contains(name)) throw new BadInputException("--methods names '" + name + "' twice");
            methods.add(name);
        }
        return methods;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (!line.hasOption("out")) throw new BadInputException("--out DIR is required");
        if (!line.hasOption("budget")) throw new BadInputException("--budget SIZE is required");
        List<String> methods = methods(line);
        Double target = line.hasOption("target-accuracy")
                ? TrainCommand.number(line, "target-accuracy", 0, 0, true) : null;
        if (target != null && target > 1) {
            throw new BadInputException("--target-accuracy is a fraction between 0 and 1, not " + target);
        }
        Path dir = Path.of(line.getOptionValue("out"));
        Files.createDirectories(dir);
        RuntimeOptions runtime = CommonOptions.runtime(line);
        List<CompareReport.Row> rows = new ArrayList<>();
        java.util.Map<String, String> refused = new java.util.LinkedHashMap<>();
        // every method's folder is checked before any trains: a refusal comes first, not after hours of training
        java.util.Map<String, String[]> argumentsOf = new java.util.LinkedHashMap<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String method : methods) {
            String[] arguments = trainArguments(line, method, dir.resolve(method));
            argumentsOf.put(method, arguments);
            if (finished(dir.resolve(method), arguments)) done.add(method);
        }
        for (String method : methods) {
            Path methodDir = dir.resolve(method);
            err.printf("== compare: %s -> %s%n", method, methodDir);
            String[] arguments = argumentsOf.get(method);
            try {
                if (done.contains(method)) {
                    err.printf("compare: %s already finished in %s with the same arguments: its report is read, not"
                            + " trained again%n", method, methodDir);
                } else {
                    Files.createDirectories(methodDir);
                    Files.writeString(methodDir.resolve(ARGUMENTS_FILE), String.join("\n", arguments) + "\n");
                    CommandLine trainLine = new DefaultParser().parse(new TrainCommand().options(), arguments);
                    BudgetedTraining.run(method, trainLine, out, err);
                }
            } catch (neuroflux.stages.plan.BudgetTooSmallException e) {
                // a method that cannot train under the budget is a result of the comparison, not its end
                err.printf("compare: %s does not fit: %s%n", method, e.getMessage());
                refused.put(method, e.getMessage());
                continue;
            }
            Path model = methodDir.resolve("model.onnx");
            rows.add(new CompareReport.Row(method, Json.parse(Files.readString(methodDir.resolve("report.json")),
                    methodDir.resolve("report.json").toString()), InferenceThroughput.samplesPerSecond(model, 1,
                    runtime), InferenceThroughput.samplesPerSecond(model, 64, runtime)));
        }
        double goal = target != null ? target : CompareReport.defaultTarget(rows);
        long budget = CommonOptions.budget(line).bytes();
        CompareReport.write(rows, refused, goal, target != null, budget, dir);
        out.print(CompareReport.markdown(rows, refused, goal, budget));
        err.printf("wrote compare.json, compare.md and accuracy-vs-time.svg in %s%n", dir);
        return 0;
    }

    /**
     * Whether the method's folder holds a finished run started with these arguments (to be read, not trained
     * again). A folder whose run was started with other arguments, or a finished run compare did not start, is
     * refused: training there would overwrite a user's work. A folder with no run, or a stopped run with the same
     * arguments (which train continues where it can), is not finished.
     */
    static boolean finished(Path methodDir, String[] arguments) throws java.io.IOException {
        Path recorded = methodDir.resolve(ARGUMENTS_FILE);
        boolean reported = Files.isRegularFile(methodDir.resolve("report.json"));
        if (!Files.isRegularFile(recorded)) {
            if (reported) {
                throw new BadInputException(methodDir + " already holds a finished run that compare did not start:"
                        + " give another --out, or move that folder away");
            }
            return false;
        }
        List<String> before = Files.readAllLines(recorded);
        if (!before.equals(List.of(arguments))) {
            throw new BadInputException(methodDir + " holds a run started with other arguments (" + String.join(" ",
                    before) + "): give another --out, or move that folder away");
        }
        return reported;
    }

    /** compare's arguments as one method's train arguments: the same options, that method, its own folder. */
    static String[] trainArguments(CommandLine line, String method, Path methodDir) {
        List<String> args = new ArrayList<>(line.getArgList());
        for (Option o : line.getOptions()) {
            if (OWN.contains(o.getLongOpt())) continue;
            args.add("--" + o.getLongOpt());
            if (o.hasArg()) args.add(o.getValue());
        }
        args.addAll(List.of("--method", method, "--out", methodDir.toString()));
        return args.toArray(String[]::new);
    }
}
