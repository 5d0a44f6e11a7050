package neuroflux.pipeline.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.stages.models.ModelZoo;
import neuroflux.stages.models.TrainableParameters;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code neuroflux model}: writes a freshly initialised network of the model zoo as an ONNX file. */
public final class ModelCommand implements Command {
    @Override
    public String name() {
        return "model";
    }

    @Override
    public String summary() {
        return "create a freshly initialised CNN (" + String.join(", ", ModelZoo.NAMES) + ") as an ONNX model";
    }

    @Override
    public String usage() {
        return "NAME --input CxHxW --classes K --out FILE.onnx [--seed S]";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("input").hasArg().argName("CxHxW").required()
                        .desc("the input size of one example, e.g. 3x32x32").get())
                .addOption(Option.builder().longOpt("classes").hasArg().argName("K").required()
                        .desc("the number of classes the network tells apart").get())
                .addOption(Option.builder().longOpt("out").hasArg().argName("FILE.onnx").required()
                        .desc("where to write the model").get())
                .addOption(Option.builder().longOpt("seed").hasArg().argName("S")
                        .desc("seed of the random initial weights (default 0)").get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new BadInputException("give exactly one model name (" + String.join(", ", ModelZoo.NAMES)
                    + "), got " + (args.isEmpty() ? "none" : String.join(" ", args)));
        }
        String name = args.getFirst();
        long[] input = inputShape(line.getOptionValue("input"));
        int classes = positiveInt("--classes", line.getOptionValue("classes"));
        long seed = seed(line.getOptionValue("seed", "0"));
        Path file = Path.of(line.getOptionValue("out"));

        Graph g = ModelZoo.build(name, input, classes, seed);
        try {
            OnnxModels.write(g, file);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + file + ": " + e);
        }
        out.printf("%s: %,d parameters, input %dx%dx%d, %d classes, written to %s%n", name,
                TrainableParameters.count(g), input[0], input[1], input[2], classes, file);
        return 0;
    }

    /** Parses CxHxW, three positive integers separated by x. */
    static long[] inputShape(String text) {
        String[] parts = text.trim().split("[xX]", -1);
        long[] shape = new long[parts.length];
        boolean ok = parts.length == 3;
        for (int i = 0; ok && i < 3; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].trim());
                ok = shape[i] > 0;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) throw new BadInputException("--input must be three positive integers CxHxW such as 3x32x32, got '"
                + text + "'");
        return shape;
    }

    private static int positiveInt(String option, String text) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // reported below with the value given
        }
        throw new BadInputException(option + " must be a positive integer, got '" + text + "'");
    }

    private static long seed(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("--seed must be an integer, got '" + text + "'");
        }
    }
}
