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
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.Head;
import neuroflux.stages.heads.HeadPooling;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.importer.ImportedModel;
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
 * checks in ONNX Runtime that the units run one after another compute what the model computes. With --json each
 * unit also names its early exit as compress builds it: the auxiliary head (filters from the adaptive width rule,
 * pooling, parameters) or, for the last unit, the model's classifier, and the parameters of the early-exit model,
 * so that other tools (the PyTorch side-by-side benchmark) can build the same heads.
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
                        + " in it are per sample, without the batch; each unit's exit (head filters, pooling,"
                        + " parameters) is included").get())
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
        ImportedModel imported = ModelImporter.load(file);
        Graph model = imported.atBatch(VERIFY_BATCH); // every shape inferred at the batch units are checked at
        Partition partition = Partitioner.partition(model);
        Double difference = null;
        if (line.hasOption("verify")) {
            OrtSession.verifyUserModel(model, file.toString());
            Tensor input = randomInput(model, partition.inputName());
            difference = CompositionCheck.maxAbsDifference(model, partition, input, RuntimeOptions.defaults());
        }
        if (line.hasOption("json")) {
            Json.print(json(file, model, partition, exits(imported), difference), out);
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

    /** The model with compress's exits: an adaptive-width head after every unit but the last. */
    static HeadedNetwork exits(ImportedModel imported) {
        return HeadedNetwork.build(imported, new AuxiliaryHeads(HeadWidthRule.adaptive(), SEED));
    }

    private static ObjectNode json(Path file, Graph model, Partition partition, HeadedNetwork exits,
                                   Double difference) {
        if (exits.size() != partition.size()) {
            throw new IllegalStateException("the model cuts into " + partition.size() + " units at batch "
                    + VERIFY_BATCH + " but " + exits.size() + " with a symbolic batch");
        }
        ObjectNode root = Json.object();
        root.put("model", file.toString());
        root.set("input_shape", perSampleJson(model.shapeOf(partition.inputName())));
        root.put("params", TrainableParameters.count(model));
        HeadWidthRule.Adaptive rule = HeadWidthRule.adaptive();
        root.put("head_rule", String.format(java.util.Locale.ROOT, "adaptive: %d to %d filters in steps of %d, the"
                + " head's activation memory at most %.2f of its unit's and its convolution's multiply-adds at most"
                + " %.2f of its unit's", rule.min(), rule.max(), rule.multiple(), rule.fraction(),
                rule.computeFraction()));
        ArrayNode units = root.putArray("units");
        for (int k = 0; k < partition.size(); k++) {
            Unit u = partition.unit(k);
            ObjectNode o = segmentJson(u.name(), u.hint(), u.segment(), model);
            o.set("exit", exitJson(exits, k));
            units.add(o);
        }
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

    /**
     * Unit k's exit as compress builds it: the head's name, filters, pooling (ONNX AveragePool kernel, stride and
     * pads, count_include_pad 0) and parameters, or the classifier for the last unit; and the parameters of the
     * early-exit model that leaves there (units 0..k and the exit).
     */
    private static ObjectNode exitJson(HeadedNetwork net, int k) {
        ObjectNode o = Json.object();
        o.put("name", net.exitName(k));
        Head h = net.head(k);
        if (h != null) {
            o.put("filters", h.filters());
            HeadPooling p = h.pooling();
            o.put("pooled", p.pools());
            o.set("pool_kernel", Json.array(p.kernelHeight(), p.kernelWidth()));
            o.set("pool_pads", Json.array(0, 0, p.padHeight(), p.padWidth()));
            o.set("grid", Json.array(p.gridHeight(), p.gridWidth()));
            o.put("params", h.parameterCount());
            o.put("unit_activation_bytes_per_sample", net.unitActivationBytesPerSample(k));
            o.put("multiply_adds_per_sample", h.multiplyAddsPerSample());
            o.put("unit_multiply_adds_per_sample", net.unitMultiplyAddsPerSample(k));
        }
        o.put("exit_params", net.exitParameters(k));
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
