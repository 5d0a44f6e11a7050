package neuroflux.pipeline.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.runtime.Device;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux run MODEL.onnx --input X.pb}: imports a model as the pipeline would, runs it on ONNX Runtime
 * on one input batch (a serialized TensorProto, the layout of ONNX's test data) and prints each row's predicted
 * class and logits. A user can check with it that neuroflux reads a model the way its source framework does.
 */
public final class RunCommand implements Command {
    /** Rows and values per row printed in full; longer outputs are elided in the middle of the listing. */
    static final int MAX_ROWS = 64;
    static final int MAX_VALUES = 16;

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run an ONNX classifier on an input batch and print the predicted classes";
    }

    @Override
    public String usage() {
        return "MODEL.onnx --input X.pb [--device cpu|cuda] [--threads N] [--output OUT.pb]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("i").longOpt("input").hasArg().argName("X.pb")
                .desc("input batch N×C×H×W as a serialized ONNX TensorProto (required)").get());
        o.addOption(Option.builder().longOpt("device").hasArg().argName("cpu|cuda")
                .desc("where ONNX Runtime runs (default cpu)").get());
        o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
                .desc("ONNX Runtime intra-op threads (default: one per core)").get());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.pb")
                .desc("also write the output as a serialized TensorProto").get());
        return o;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) throws IOException {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new BadInputException("expected one model file, got " + (args.isEmpty() ? "none" : args)
                    + " (usage: neuroflux run " + usage() + ")");
        }
        if (!line.hasOption("input")) throw new BadInputException("--input X.pb is required");
        Device device = Device.parse(line.getOptionValue("device", "cpu"));
        int threads = threads(line.getOptionValue("threads", "0"));

        ImportedModel model = ModelImporter.load(Path.of(args.get(0)));
        Path inputFile = Path.of(line.getOptionValue("input"));
        Tensor input = checkedInput(TensorCodec.read(inputFile), inputFile, model);
        Tensor output;
        RuntimeOptions options = new RuntimeOptions(device, threads, 0, 0);
        try (OrtSession session = OrtSession.openUserModel(model.atBatch(input.shape()[0]), options, args.get(0))) {
            output = session.run(Map.of(model.inputName(), input)).get(model.outputName());
        }
        print(model, output, out);
        if (line.hasOption("output")) write(Path.of(line.getOptionValue("output")), model.outputName(), output);
        return 0;
    }

    private static int threads(String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException("--threads must be a whole number ≥ 0 (0: one per core), not '" + value + "'");
    }

    /** The input as float [N, C, H, W] matching the model, or a one-line complaint naming the file. */
    static Tensor checkedInput(Tensor t, Path file, ImportedModel model) {
        long[] s = t.shape();
        long[] sample = model.sampleShape();
        boolean fits = s.length == 4 && s[0] >= 1 && s[1] == sample[0] && s[2] == sample[1] && s[3] == sample[2];
        if (!fits) {
            throw new BadInputException(file + " holds a tensor of shape " + Shapes.format(s) + "; the model expects "
                    + Shapes.format(model.inputShape(-1)) + " (N ≥ 1)");
        }
        if (!t.type().isFloating()) {
            throw new BadInputException(file + " holds " + t.type() + " values; the model expects float");
        }
        return t.type() == DataType.FLOAT ? t : t.cast(DataType.FLOAT);
    }

    static void print(ImportedModel model, Tensor output, PrintStream out) {
        long[] s = output.shape();
        out.println(model.outputName() + ": " + Shapes.format(s) + " " + output.type().name().toLowerCase(Locale.ROOT));
        int rows = (int) s[0];
        int width = (int) (output.size() / Math.max(1, rows));
        float[] v = output.floats();
        for (int r = 0; r < rows; r++) {
            if (rows > MAX_ROWS && r == MAX_ROWS / 2) {
                out.println("... " + (rows - MAX_ROWS) + " more rows ...");
                r = rows - MAX_ROWS / 2;
            }
            out.println(row(v, r * width, width, r));
        }
    }

    private static String row(float[] v, int from, int width, int index) {
        int best = from;
        for (int i = from; i < from + width; i++) if (v[i] > v[best]) best = i;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%d: class %d  [", index, best - from));
        for (int i = 0; i < width; i++) {
            if (width > MAX_VALUES && i == MAX_VALUES / 2) {
                b.append(" ... ").append(width - MAX_VALUES).append(" more ...");
                i = width - MAX_VALUES / 2;
            }
            if (i > 0) b.append(' ');
            b.append(String.format(Locale.ROOT, "%.4g", v[from + i]));
        }
        return b.append(']').toString();
    }

    private static void write(Path file, String name, Tensor t) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            TensorCodec.write(file, name, t);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
