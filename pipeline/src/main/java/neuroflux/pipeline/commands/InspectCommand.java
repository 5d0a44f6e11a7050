package neuroflux.pipeline.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.report.Json;
import neuroflux.stages.importer.ModelImporter;
import neuroflux.stages.models.TrainableParameters;
import neuroflux.stages.partition.Classifier;
import neuroflux.stages.partition.CompositionCheck;
import neuroflux.stages.partition.Partition;
import neuroflux.stages.partition.Partitioner;
import neuroflux.stages.partition.Segment;
import neuroflux.stages.partition.Unit;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux inspect}: shows how a model is cut into trainable units and its classifier, and with --verify
 * checks in ONNX Runtime that the units run one after another compute what the model computes.
 */
public final class InspectCommand implements Command {
    /** The batch the units are checked at: two samples catch a unit that mixes the batch up. */
    static final long VERIFY_BATCH = 2;
    /** Float32 sums taken in another order differ by rounding; a real mistake is far larger. */
    static final double TOLERANCE = 1e-4;
    private static final long SEED = 0;

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "show the trainable units a model is cut into (--verify runs them against the model)";
    }

    @Override
    public String usage() {
        return "MODEL.onnx [--json] [--verify]";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("json").desc("print one JSON object instead of a table; shapes"
                        + " in it are per sample, without the batch").get())
                .addOption(Option.builder().longOpt("verify").desc("run the units one after another and the whole"
                        + " model on a random batch of " + VERIFY_BATCH + " and print their largest absolute"
                        + " difference; exit status 1 if it exceeds " + TOLERANCE).get());
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        List<String> args = line.getArgList();
        if (args.size() != 1) {
            throw new BadInputException("give exactly one model file, got "
                    + (args.isEmpty() ? "none" : String.join(" ", args)));
        }
        Path file = Path.of(args.getFirst());
        Graph model = load(file);
        Partition partition = Partitioner.partition(model);
        Double difference = null;
        if (line.hasOption("verify")) {
            OrtSession.verifyUserModel(model, file.toString());
            Tensor input = randomInput(model, partition.inputName());
            difference = CompositionCheck.maxAbsDifference(model, partition, input, RuntimeOptions.defaults());
        }
        if (line.hasOption("json")) {
            Json.print(json(file, model, partition, difference), out);
        } else {
            printTable(file, model, partition, difference, out);
        }
        if (difference != null && !(difference <= TOLERANCE)) {
            err.println("neuroflux inspect: the units do not compute what the model computes (largest difference "
                    + difference + ", more than " + TOLERANCE + ")");
            return Main.FAILED;
        }
        return Main.OK;
    }

    /** The imported model at the batch size units are checked at, every shape inferred. */
    static Graph load(Path file) {
        return ModelImporter.load(file).atBatch(VERIFY_BATCH);
    }

    /** A random batch in the model's input shape, which the importer fixed at VERIFY_BATCH x C x H x W. */
    private static Tensor randomInput(Graph model, String inputName) {
        long[] batchShape = model.shapeOf(inputName);
        float[] values = new float[Math.toIntExact(Shapes.size(batchShape))];
        Random random = new Random(SEED);
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        return Tensor.ofFloats(batchShape, values);
    }

    private static void printTable(Path file, Graph model, Partition partition, Double difference, PrintStream out) {
        out.printf("%s: input %s, %,d parameters, %d units and a classifier%n", file,
                perSample(model.shapeOf(partition.inputName())), TrainableParameters.count(model), partition.size());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"unit", "module", "output", "params", "layers"});
        for (Unit u : partition.units()) rows.add(row(u.name(), u.hint(), u.segment(), model));
        Classifier c = partition.classifier();
        rows.add(row(Classifier.NAME, c.hint(), c.segment(), model));
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            out.println(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3]
                    + "s  %s", (Object[]) r).stripTrailing());
        }
        if (difference != null) {
            out.printf("units run one after another vs the whole model, random batch of %d: largest absolute"
                    + " difference %s%n", VERIFY_BATCH, difference == 0 ? "0" : String.format("%.3g", difference));
        }
    }

    private static String[] row(String name, String hint, Segment s, Graph model) {
        long[] shape = s.outputShape(model);
        String output = shape == null ? "?" : Shapes.format(Shapes.withBatch(shape, -1));
        return new String[] {name, hint, output, String.format("%,d", s.parameterCount(model)), layers(s.operators())};
    }

    /** Operators with their counts, in order of first use: "3 Conv, 3 BatchNormalization, 2 Relu, Add". */
    static String layers(List<String> ops) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String op : ops) counts.merge(op, 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        counts.forEach((op, n) -> parts.add(n == 1 ? op : n + " " + op));
        return String.join(", ", parts);
    }

    private static ObjectNode json(Path file, Graph model, Partition partition, Double difference) {
        ObjectNode root = Json.object();
        root.put("model", file.toString());
        root.set("input_shape", perSampleJson(model.shapeOf(partition.inputName())));
        root.put("params", TrainableParameters.count(model));
        ArrayNode units = root.putArray("units");
        for (Unit u : partition.units()) units.add(segmentJson(u.name(), u.hint(), u.segment(), model));
        root.set("classifier", segmentJson(Classifier.NAME, partition.classifier().hint(),
                partition.classifier().segment(), model));
        if (difference != null) {
            root.put("max_abs_diff", difference);
            root.put("verify_batch", VERIFY_BATCH);
        }
        return root;
    }

    private static ObjectNode segmentJson(String name, String hint, Segment s, Graph model) {
        ObjectNode o = Json.object();
        o.put("name", name);
        o.put("hint", hint);
        o.put("input", s.inputName());
        o.put("output", s.outputName());
        o.set("output_shape", perSampleJson(s.outputShape(model)));
        o.put("params", s.parameterCount(model));
        o.set("ops", Json.array(s.operators()));
        return o;
    }

    /** A shape without its batch dimension, as text ("?" when unknown). */
    private static String perSample(long[] shape) {
        return shape == null || shape.length == 0 ? "?" : Shapes.format(Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** A shape without its batch dimension; null when unknown, an unknown dimension null. */
    private static JsonNode perSampleJson(long[] shape) {
        if (shape == null || shape.length == 0) return NullNode.getInstance();
        ArrayNode a = Json.array();
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 0) a.addNull();
            else a.add(shape[i]);
        }
        return a;
    }
}
