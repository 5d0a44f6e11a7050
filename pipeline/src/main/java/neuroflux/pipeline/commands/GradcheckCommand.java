package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.runtime.Device;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.Rounding;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.train.GradientComparison;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux gradcheck MODEL.onnx --reference DIR}: one training-mode forward and backward pass of the
 * compiled training step, compared with reference values (the loss in {@code DIR/loss.pb}, each parameter's
 * gradient in {@code DIR/grad/<name>.pb}) by the fixtures' tolerance rule. Exit status 0 when everything agrees,
 * 1 when something does not. The step's float32 forward rounds as PyTorch's CPU kernels do unless
 * {@code --rounding native} asks for the order training uses ({@link Rounding}).
 */
public final class GradcheckCommand implements Command {
    /** Failing parameters listed in full; more are counted. */
    static final int MAX_LISTED = 20;

    @Override
    public String name() {
        return "gradcheck";
    }

    @Override
    public String summary() {
        return "check the compiled training step's loss and gradients against reference values";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --reference DIR [--input X.pb] [--labels L.pb] [--threads N] [--device cpu|cuda]"
                + " [--rounding pytorch|native]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("r").longOpt("reference").hasArg().argName("DIR")
                .desc("folder with loss.pb, grad/<parameter>.pb and labels.pb (required)").get());
        o.addOption(Option.builder("i").longOpt("input").hasArg().argName("X.pb")
                .desc("input batch (default: DIR/../test_data_set_0/input_0.pb)").get());
        o.addOption(Option.builder().longOpt("labels").hasArg().argName("L.pb")
                .desc("int64 labels of the batch (default: DIR/labels.pb)").get());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
                .desc("ONNX Runtime intra-op threads (default: one per core)").get());
        o.addOption(Option.builder().longOpt("device").hasArg().argName("cpu|cuda")
                .desc("where ONNX Runtime runs (default cpu)").get());
        o.addOption(Option.builder().longOpt("rounding").hasArg().argName("pytorch|native")
                .desc("how the step's float32 forward rounds its sums: as PyTorch's CPU kernels (default), or"
                        + " ONNX Runtime's own order as training runs it").get());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new BadInputException("expected one model file, got " + (args.isEmpty() ? "none" : args)
                    + " (usage: neuroflux gradcheck " + usage() + ")");
        }
        if (!line.hasOption("reference")) throw new BadInputException("--reference DIR is required");
        Path reference = Path.of(line.getOptionValue("reference"));
        if (!Files.isDirectory(reference)) throw new BadInputException("no reference folder " + reference);
        Path inputFile = line.hasOption("input") ? Path.of(line.getOptionValue("input"))
                : reference.toAbsolutePath().getParent().resolve("test_data_set_0/input_0.pb");
        Path labelsFile = line.hasOption("labels") ? Path.of(line.getOptionValue("labels"))
                : reference.resolve("labels.pb");
        RuntimeOptions runtime = new RuntimeOptions(Device.parse(line.getOptionValue("device", "cpu")),
                TrainCommand.nonNegative(line, "threads", 0), 0, 0);

        ImportedModel model = ModelImporter.load(Path.of(args.get(0)));
        OrtSession.verifyUserModel(model.graph(), args.get(0));
        Tensor input = RunCommand.checkedInput(TensorCodec.read(inputFile), inputFile, model);
        Tensor labels = TensorCodec.read(labelsFile);
        if (labels.type().isFloating()) throw new BadInputException(labelsFile + " holds " + labels.type()
                + " values; labels are integers");
        GradientComparison c = GradientComparison.run(model.atBatch(input.shape()[0]), input, labels, reference,
                runtime, rounding(line.getOptionValue("rounding", "pytorch")));
        report(c, out);
        return c.passed() ? 0 : 1;
    }

    static Rounding rounding(String value) {
        return switch (value) {
            case "pytorch" -> Rounding.PYTORCH_CPU;
            case "native" -> Rounding.NATIVE;
            default -> throw new BadInputException("--rounding must be pytorch or native, not '" + value + "'");
        };
    }

    static void report(GradientComparison c, PrintStream out) {
        out.printf(Locale.ROOT, "loss %.7g (reference %.7g): %s%n", c.loss(), c.referenceLoss(),
                c.lossRatio() <= 1 ? "agrees" : "DIFFERS (" + String.format(Locale.ROOT, "%.3g", c.lossRatio())
                        + " times the tolerance)");
        GradientComparison.Parameter worst = c.parameters().get(0);
        out.printf(Locale.ROOT, "worst gradient: %s at %.3g of its tolerance (largest difference %.3g, allowed %.3g)%n",
                worst.name(), worst.ratio(), worst.maxDifference(), worst.allowed());
        List<GradientComparison.Parameter> failures = c.failures();
        if (failures.isEmpty()) {
            out.println(c.parameters().size() + " parameter gradients compared, all within tolerance");
        } else {
            out.println(failures.size() + " of " + c.parameters().size() + " parameter gradients differ:");
            for (int i = 0; i < Math.min(MAX_LISTED, failures.size()); i++) {
                GradientComparison.Parameter p = failures.get(i);
                out.printf(Locale.ROOT, "  %s: largest difference %.3g, allowed %.3g (%.3g times the tolerance)%n",
                        p.name(), p.maxDifference(), p.allowed(), p.ratio());
            }
            if (failures.size() > MAX_LISTED) out.println("  ... and " + (failures.size() - MAX_LISTED) + " more");
        }
    }
}
