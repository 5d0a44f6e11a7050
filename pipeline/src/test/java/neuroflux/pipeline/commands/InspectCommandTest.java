package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.report.Json;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class InspectCommandTest {
    /** Each fixture and the number of units an expert draws for it. */
    static final Map<String, Integer> UNITS = Map.of(
            "vgg-small-fmnist", 8, "resnet8-cifar", 4, "mobilenetv2-w025-cifar", 19);
    static final List<String> FIXTURES = List.copyOf(UNITS.keySet());

    @TempDir
    Path dir;

    private static Path fixture(String name) {
        return Fixtures.dir(name).resolve("model.onnx");
    }

    /** Every built-in network, in the small-image forms a user starts from. */
    static final List<String> BUILT_IN = List.of("vgg11", "vgg16", "vgg19", "resnet18", "resnet34", "mobilenet_v2");

    @ParameterizedTest
    @FieldSource("BUILT_IN")
    void everyBuiltInModelsUnitsReproduceTheModel(String name) {
        Path model = dir.resolve(name + ".onnx");
        Result made = main("model", name, "--input", "3x32x32", "--classes", "10", "--out", model.toString());
        assertEquals(Main.OK, made.status, made.err);
        Result r = main("inspect", model.toString(), "--json", "--verify");
        assertEquals(Main.OK, r.status, r.err);
        JsonNode root = Json.parse(r.out, "inspect's output");
        assertTrue(root.get("units").size() >= 2, r.out);
        double diff = root.get("max_abs_diff").asDouble();
        assertTrue(diff < 1e-4, name + ": units against the whole model differ by " + diff);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void jsonListsTheUnitsAndTheVerifiedDifference(String fixture) {
        Result r = main("inspect", fixture(fixture).toString(), "--json", "--verify");
        assertEquals(Main.OK, r.status, r.err);
        JsonNode root = Json.parse(r.out, "inspect's output");

        JsonNode units = root.get("units");
        assertEquals(UNITS.get(fixture), units.size());
        long params = 0;
        for (int i = 0; i < units.size(); i++) {
            JsonNode u = units.get(i);
            assertEquals("unit" + i, u.get("name").asText());
            assertTrue(u.get("params").asLong() > 0, u.toString());
            assertEquals("Conv", u.get("ops").get(0).asText(), u.toString());
            JsonNode shape = u.get("output_shape");
            assertEquals(3, shape.size(), u.toString());
            shape.forEach(d -> assertTrue(d.asLong() > 0, u.toString()));
            params += u.get("params").asLong();
        }
        JsonNode classifier = root.get("classifier");
        assertEquals("Gemm", classifier.get("ops").get(classifier.get("ops").size() - 1).asText());
        assertEquals(units.get(units.size() - 1).get("output").asText(), classifier.get("input").asText());
        assertEquals("[10]", classifier.get("output_shape").toString());
        assertEquals(3, root.get("input_shape").size());
        assertEquals(root.get("params").asLong(), params + classifier.get("params").asLong(),
                "every parameter is in exactly one unit or the classifier");
        double difference = root.get("max_abs_diff").asDouble(Double.NaN);
        assertTrue(difference >= 0 && difference < 1e-4, "difference " + difference);
    }

    @Test
    void jsonNamesEachUnitsExitAsCompressBuildsIt() {
        Result r = main("inspect", fixture("vgg-small-fmnist").toString(), "--json");
        assertEquals(Main.OK, r.status, r.err);
        JsonNode root = Json.parse(r.out, "inspect's output");
        assertTrue(root.get("head_rule").asText().startsWith("adaptive: 8 to 256 filters"), r.out);
        JsonNode units = root.get("units");
        neuroflux.stages.block.HeadedNetwork net = InspectCommand.exits(
                neuroflux.stages.importer.ModelImporter.load(fixture("vgg-small-fmnist")));
        for (int k = 0; k < units.size(); k++) {
            JsonNode exit = units.get(k).get("exit");
            assertEquals(net.exitParameters(k), exit.get("exit_params").asLong(), exit.toString());
            assertTrue(exit.get("exit_params").asLong() > units.get(k).get("params").asLong(), exit.toString());
            if (k == units.size() - 1) {
                assertEquals("classifier", exit.get("name").asText());
                assertEquals(root.get("params").asLong(), exit.get("exit_params").asLong(),
                        "the last exit is the whole model");
                assertTrue(!exit.has("filters"), exit.toString());
                continue;
            }
            var head = net.head(k);
            assertEquals("unit" + k + ".head", exit.get("name").asText());
            assertEquals(head.filters(), exit.get("filters").asInt());
            assertEquals(0, exit.get("filters").asInt() % 8, exit.toString());
            assertEquals(head.parameterCount(), exit.get("params").asLong());
            // a 3x3 convolution without bias, batch norm's scale and bias, the classifier on the pooled grid
            long c = units.get(k).get("output_shape").get(0).asLong();
            long f = exit.get("filters").asLong();
            long cells = exit.get("grid").get(0).asLong() * exit.get("grid").get(1).asLong();
            assertEquals(f * c * 9 + 2 * f + 10 * f * cells + 10, exit.get("params").asLong(), exit.toString());
            long h = units.get(k).get("output_shape").get(1).asLong();
            long kernel = exit.get("pool_kernel").get(0).asLong();
            assertEquals(h <= 2 ? 1 : (h + 1) / 2, kernel, exit.toString());
            assertEquals(h <= 2 ? 0 : 2 * kernel - h, exit.get("pool_pads").get(2).asLong(), exit.toString());
            assertEquals(kernel > 1 || exit.get("pool_kernel").get(1).asLong() > 1, exit.get("pooled").asBoolean());
        }
    }

    @Test
    void theTableHasARowPerUnitAndTheClassifier() {
        Result r = main("inspect", fixture("resnet8-cifar").toString(), "--verify");
        assertEquals(Main.OK, r.status, r.err);
        List<String> lines = r.out.lines().toList();
        assertTrue(lines.getFirst().contains("input 3x32x32"), lines.getFirst());
        assertTrue(lines.get(1).startsWith("unit "), lines.get(1));
        assertTrue(lines.get(2).matches("unit0 +stem\\.0-2 +Nx16x32x32 +464 +Conv, BatchNormalization, Relu"),
                lines.get(2));
        assertTrue(lines.get(3).matches("unit1 +layers\\.0 +Nx16x32x32 .*2 Conv, 2 BatchNormalization, 2 Relu, Add"),
                lines.get(3));
        assertTrue(lines.get(6).startsWith("classifier "), lines.get(6));
        assertTrue(lines.get(7).contains("largest absolute difference"), lines.get(7));
        assertEquals(8, lines.size(), r.out);
    }

    @Test
    void aModelWithNoCutPointIsBadInputInOneLine() throws Exception {
        Path file = dir.resolve("two-towers.onnx");
        OnnxModels.write(twoTowers(), file);
        Result r = main("inspect", file.toString());
        assertEquals(Main.BAD_INPUT, r.status);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("neuroflux inspect: cannot cut the model into units"), r.err);
    }

    @Test
    void aMissingFileOrAWrongArgumentCountIsBadInput() {
        Result r = main("inspect", dir.resolve("none.onnx").toString());
        assertEquals(Main.BAD_INPUT, r.status);
        assertTrue(r.err.contains("no such model file"), r.err);
        InspectCommand c = new InspectCommand();
        assertThrows(BadInputException.class, () -> c.run(new DefaultParser().parse(c.options(), new String[0]),
                System.out, System.err));
        assertThrows(BadInputException.class, () -> c.run(new DefaultParser().parse(c.options(),
                new String[] {"a.onnx", "b.onnx"}), System.out, System.err));
    }

    @Test
    void layersAreSummarisedWithCountsInOrderOfFirstUse() {
        assertEquals("2 Conv, BatchNormalization, Add", InspectCommand.layers(List.of("Conv", "BatchNormalization",
                "Conv", "Add")));
    }

    /** Two convolutional towers on the input, each to class scores, summed: every tensor is inside a branch. */
    private static Graph twoTowers() {
        Graph g = new Graph("two-towers");
        g.inputs().add(new ValueInfo("input", DataType.FLOAT, new long[] {-1, 1, 4, 4}));
        g.outputs().add(new ValueInfo("logits", DataType.FLOAT, new long[] {-1, 2}));
        for (String t : List.of("a", "b")) {
            g.addInitializer(t + ".w", Tensor.ofFloats(new long[] {2, 1, 1, 1}, 0.5f, -0.5f));
            g.addInitializer(t + ".fc", Tensor.ofFloats(new long[] {2, 2}, 1f, 0f, 0f, 1f));
            g.add(node("Conv", t + ".conv", List.of("input", t + ".w"), t + ".c"));
            g.add(node("GlobalAveragePool", t + ".gap", List.of(t + ".c"), t + ".p"));
            g.add(node("Flatten", t + ".flatten", List.of(t + ".p"), t + ".f"));
            g.add(node("MatMul", t + ".fc", List.of(t + ".f", t + ".fc"), t + ".out"));
        }
        g.add(node("Add", "sum", List.of("a.out", "b.out"), "logits"));
        return g;
    }

    private static Node node(String op, String name, List<String> inputs, String output) {
        return new Node(op, name, "", inputs, List.of(output), new LinkedHashMap<>());
    }

    private record Result(int status, String out, String err) {}

    private static Result main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
