package neuroflux.pipeline.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.runtime.Device;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.baselines.BaselineTrainer;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.InferenceCompiler;
import neuroflux.stages.compile.LossAttachment;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.compile.StepCompiler;
import neuroflux.stages.compile.StepSpec;
import neuroflux.stages.compile.TrainableParameters;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.data.DataSources;
import neuroflux.stages.data.DataSplits;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.train.Evaluator;
import neuroflux.stages.train.LearningRateSchedule;
import neuroflux.stages.train.LearningRates;
import neuroflux.stages.train.StepRunner;
import neuroflux.stages.train.Trainer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import neuroflux.pipeline.report.Json;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux train MODEL.onnx --method bp ...}: trains the whole model end to end by backpropagation with
 * compiled training steps, reports progress per epoch on stderr, and writes the trained model (batch
 * normalisation in inference form) and a JSON report. Defaults follow the PyTorch reference: SGD with Nesterov
 * momentum 0.9, weight decay 5e-4, learning rate 0.05 on a one-cycle schedule with pct_start 0.15.
 */
public final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a model end to end (backpropagation) and write it with a report";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --method bp --data D --epochs E --batch-size B --out DIR [--lr X] [--optimizer sgd|adamw]"
                + " [--weight-decay X] [--schedule onecycle|cosine|constant] [--seed N] [--threads N]"
                + " [--device cpu|cuda] [--limit-train N] [--data-dir DIR] [--dump-graphs DIR]\n"
                + "       MODEL.onnx --method bp|bp-checkpoint|ll|neuroflux --budget SIZE --epochs E --out DIR [--batch-size B]"
                + " [--checkpoint-minutes 10] [compress's options]: under a memory budget, measured and reported like compress";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(opt("method", "M", "training method: bp (end-to-end backpropagation; default),"
                + " bp-checkpoint (backprop recomputing each unit's activations), ll (classic local learning) or"
                + " neuroflux (compress); all but plain bp need --budget, and with it each runs at the largest batch"
                + " that fits"));
        o.addOption(opt("data", "D", "data: fashion-mnist, cifar10, cifar100, imagefolder:PATH or synthetic"
                + " (default fashion-mnist)"));
        o.addOption(opt("data-dir", "DIR", "folder searched first for the data files"));
        o.addOption(opt("epochs", "E", "epochs (default 1)"));
        o.addOption(opt("batch-size", "B", "batch size (default 128)"));
        o.addOption(opt("out", "DIR", "output folder for model.onnx and report.json (required)"));
        o.addOption(opt("lr", "X", "(peak) learning rate (default 0.05)"));
        o.addOption(opt("lr-batch", "B", "the batch size --lr is for: a training at batch b peaks at lr*b/B"
                + " (linear scaling; default: --lr at every batch size)"));
        o.addOption(opt("optimizer", "sgd|adamw", "optimizer (default sgd: momentum 0.9, Nesterov)"));
        o.addOption(opt("weight-decay", "X", "weight decay (default 5e-4)"));
        o.addOption(opt("schedule", "S", "learning-rate schedule: onecycle, cosine or constant (default onecycle)"));
        o.addOption(opt("seed", "N", "seed of the data split, batch order and augmentation (default 0)"));
        o.addOption(opt("threads", "N", "ONNX Runtime intra-op threads (default: one per core)"));
        o.addOption(opt("device", "cpu|cuda", "where ONNX Runtime runs (default cpu)"));
        o.addOption(opt("limit-train", "N", "train on at most N samples"));
        o.addOption(opt("checkpoint-minutes", "M", "with --budget, bp, bp-checkpoint and ll also write a checkpoint"
                + " within an epoch after every M minutes of training, so that a stopped run loses at most that"
                + " (default " + (int) BaselineTrainer.DEFAULT_CHECKPOINT_MINUTES + "; 0: after each epoch only)"));
        o.addOption(opt("dump-graphs", "DIR", "also write the compiled step and evaluation graphs there"));
        // a budgeted run takes compress's options too (budget, margin, batch cap, exit tolerance, ...)
        for (Option c : new CompressCommand().options().getOptions()) {
            if (!o.hasLongOption(c.getLongOpt())) o.addOption(c);
        }
        return o;
    }

    private static Option opt(String name, String arg, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(arg).desc(desc).get();
    }

    /** What the command was asked to do, checked. */
    record Settings(Path model, String method, int epochs, int batchSize, Path out, double lr, String optimizer,
                    double weightDecay, String schedule, int lrBatch, long seed, RuntimeOptions runtime,
                    DataOptions data, Path dumpGraphs) {
        LearningRates learningRates() {
            return new LearningRates(schedule, lr, lrBatch);
        }
    }

    static Settings settings(CommandLine line) {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new BadInputException("expected one model file, got " + (args.isEmpty() ? "none" : args));
        }
        String method = line.getOptionValue("method", "bp").strip().toLowerCase(Locale.ROOT);
        if (!method.equals("bp")) {
            throw new BadInputException("unknown --method '" + method + "': train knows "
                    + String.join(", ", BudgetedTraining.METHODS));
        }
        if (!line.hasOption("out")) throw new BadInputException("--out DIR is required");
        String optimizer = line.getOptionValue("optimizer", "sgd").strip().toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) {
            throw new BadInputException("unknown --optimizer '" + optimizer + "': use sgd or adamw");
        }
        String schedule = line.getOptionValue("schedule", "onecycle").strip().toLowerCase(Locale.ROOT);
        if (!LearningRates.SCHEDULES.contains(schedule)) {
            throw new BadInputException("unknown --schedule '" + schedule + "': use onecycle, cosine or constant");
        }
        long seed;
        try {
            seed = Long.parseLong(line.getOptionValue("seed", "0").strip());
        } catch (NumberFormatException e) {
            throw new BadInputException("--seed must be a whole number, not '" + line.getOptionValue("seed") + "'");
        }
        DataOptions data = DataOptions.defaults().withName(line.getOptionValue("data", DataOptions.DEFAULT_NAME))
                .withSeed(seed);
        if (line.hasOption("data-dir")) data = data.withDataDir(Path.of(line.getOptionValue("data-dir")));
        if (line.hasOption("limit-train")) data = data.withLimitTrain(positive(line, "limit-train", 0));
        RuntimeOptions runtime = new RuntimeOptions(Device.parse(line.getOptionValue("device", "cpu")),
                nonNegative(line, "threads", 0), 0, 0);
        return new Settings(Path.of(args.get(0)), method, positive(line, "epochs", 1), positive(line, "batch-size",
                128), Path.of(line.getOptionValue("out")), number(line, "lr", 0.05, 0, false), optimizer,
                number(line, "weight-decay", 5e-4, 0, true), schedule, nonNegative(line, "lr-batch", 0), seed,
                runtime, data,
                line.hasOption("dump-graphs") ? Path.of(line.getOptionValue("dump-graphs")) : null);
    }

    static int positive(CommandLine line, String option, int fallback) {
        double v = number(line, option, fallback, 1, true);
        if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new BadInputException("--" + option + " must be a whole number, not '" + line.getOptionValue(option)
                    + "'");
        }
        return (int) v;
    }

    static int nonNegative(CommandLine line, String option, int fallback) {
        double v = number(line, option, fallback, 0, true);
        if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new BadInputException("--" + option + " must be a whole number ≥ 0, not '"
                    + line.getOptionValue(option) + "'");
        }
        return (int) v;
    }

    /** A number option at least {@code min} (or above it when not {@code inclusive}). */
    static double number(CommandLine line, String option, double fallback, double min, boolean inclusive) {
        if (!line.hasOption(option)) return fallback;
        String text = line.getOptionValue(option);
        double v;
        try {
            v = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + option + " must be a number, not '" + text + "'");
        }
        if (!Double.isFinite(v) || v < min || (!inclusive && v == min)) {
            throw new BadInputException("--" + option + " must be " + (inclusive ? "at least " : "above ")
                    + java.math.BigDecimal.valueOf(min).stripTrailingZeros().toPlainString() + ", not '" + text + "'");
        }
        return v;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws Exception {
        if (line.hasOption("resume")) line = CompressCommand.resumed(line, options());
        String method = line.getOptionValue("method", "bp").strip().toLowerCase(Locale.ROOT);
        if (BudgetedTraining.METHODS.contains(method) && (!method.equals("bp") || line.hasOption("budget"))) {
            return BudgetedTraining.run(method, line, out, err);
        }
        if (line.hasOption("checkpoint-minutes")) {
            throw new BadInputException("--checkpoint-minutes needs --budget: a run without a budget keeps no"
                    + " checkpoint");
        }
        Settings s = settings(line);
        long wallStart = System.nanoTime();
        ImportedModel model = ModelImporter.load(s.model());
        OrtSession.verifyUserModel(model.graph(), s.model().toString());
        DataSplits splits = DataSources.load(s.data(), model.sampleShape(), model.classes());
        if (splits.train().size() < s.batchSize()) {
            throw new BadInputException("the training set has " + splits.train().size() + " samples, fewer than one"
                    + " batch of " + s.batchSize());
        }
        Graph forward = model.atBatch(s.batchSize());
        Set<String> trainable = TrainableParameters.of(forward);
        Optimizer optimizer = s.optimizer().equals("sgd") ? new Optimizer.Sgd(0.9, true, s.weightDecay())
                : Optimizer.AdamW.defaults(s.weightDecay());
        CompiledStep step = StepCompiler.compile(new StepSpec(forward, List.of(new LossAttachment(model.outputName(),
                "labels")), trainable, Set.of(), optimizer));
        List<String> modelState = new ArrayList<>(step.parameters());
        modelState.addAll(step.runningStats());
        if (s.dumpGraphs() != null) {
            OnnxModels.write(step.graph(), s.dumpGraphs().resolve("train-step.onnx"));
            OnnxModels.write(InferenceCompiler.compile(model.graph(), modelState),
                    s.dumpGraphs().resolve("evaluate.onnx"));
        }
        long totalSteps = Trainer.steps(splits.train(), s.batchSize(), s.epochs());
        LearningRateSchedule schedule = s.learningRates().at(s.batchSize(), totalSteps);
        err.printf(Locale.ROOT, "training %s (%d parameters) on %s: %d samples, %d epochs of %d steps at batch %d%n",
                s.model().getFileName(), count(forward, trainable), splits.name(), splits.train().size(), s.epochs(),
                totalSteps / s.epochs(), s.batchSize());
        ObjectNode report = Json.object();
        try (StepRunner runner = new StepRunner(step, s.runtime());
             Evaluator evaluator = new Evaluator(model.graph(), model.inputName(), model.outputName(), modelState,
                     s.runtime())) {
            List<Double> losses = new ArrayList<>();
            Trainer.Totals totals = new Trainer(runner, schedule, optimizer.momentum()).train(splits.train(),
                    s.epochs(), s.seed(), s.data().augmentation(model.sampleShape()), r -> {
                        err.println(r.line());
                        losses.add(r.meanLoss());
                    });
            double testAccuracy = evaluator.accuracy(splits.test(), s.batchSize(), runner);
            Graph trained = InferenceCompiler.withValues(model.graph(), runner.modelValues());
            OnnxModels.write(trained, s.out().resolve("model.onnx"));
            report.put("method", s.method());
            report.put("model", s.model().toString());
            report.put("data", splits.name());
            report.put("batch_size", s.batchSize());
            report.put("epochs", s.epochs());
            report.put("optimizer", s.optimizer());
            report.put("lr", s.lr());
            report.put("lr_reference_batch", s.lrBatch());
            report.put("peak_lr", s.learningRates().peakAt(s.batchSize()));
            report.put("weight_decay", s.weightDecay());
            report.put("schedule", s.schedule());
            report.put("seed", s.seed());
            report.put("train_samples", splits.train().size());
            report.put("train_samples_per_s", totals.samplesPerSecond());
            report.put("train_time_s", totals.wallSeconds());
            report.put("step_time_s", totals.stepSeconds());
            report.put("wall_time_s", (System.nanoTime() - wallStart) / 1e9);
            report.put("train_loss", losses.isEmpty() ? Double.NaN : losses.getLast());
            ArrayNode epochLosses = report.putArray("epoch_losses");
            losses.forEach(epochLosses::add);
            report.put("test_accuracy", testAccuracy);
            report.put("params", count(forward, trainable));
            err.printf(Locale.ROOT, "test accuracy %.4f; wrote %s%n", testAccuracy, s.out().resolve("model.onnx"));
        }
        Files.writeString(s.out().resolve("report.json"), Json.write(report) + "\n");
        return 0;
    }

    private static long count(Graph g, Set<String> names) {
        long n = 0;
        for (String p : names) n += g.initializers().get(p).size();
        return n;
    }
}
