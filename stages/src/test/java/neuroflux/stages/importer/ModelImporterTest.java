package neuroflux.stages.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ModelImporterTest {
    static final List<String> FIXTURES = Fixtures.NAMES;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void fixtureImportsAndReproducesTheReferenceOutput(String fixture) {
        Path dir = Fixtures.dir(fixture);
        ImportedModel m = ModelImporter.load(dir.resolve("model.onnx"));
        assertEquals("input", m.inputName());
        assertEquals("logits", m.outputName());
        assertEquals(10, m.classes());
        assertArrayEquals(new long[] {-1, 10}, m.graph().outputs().get(0).shape());
        assertEquals(-1, m.graph().inputs().get(0).shape()[0]);
        for (Node n : m.graph().nodes()) {
            assertFalse(n.opType().equals("Identity") || n.opType().equals("Constant"), n.toString());
        }

        Tensor input = TensorCodec.read(dir.resolve("test_data_set_0/input_0.pb"));
        Tensor expected = TensorCodec.read(dir.resolve("test_data_set_0/output_0.pb"));
        assertArrayEquals(m.inputShape(4), input.shape());
        Graph atFour = m.atBatch(4);
        assertArrayEquals(new long[] {4, 10}, atFour.outputs().get(0).shape());
        assertClose(expected.floats(), run(atFour, m.inputName(), input).floats());
        // the symbolic graph itself runs at any batch
        assertClose(expected.floats(), run(m.graph(), m.inputName(), input).floats());
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void everyParameterIsASeparateInitializer(String fixture) throws IOException {
        Path dir = Fixtures.dir(fixture);
        Graph source = OnnxModels.read(dir.resolve("model.onnx"));
        Graph g = ModelImporter.load(dir.resolve("model.onnx")).graph();
        String json = Files.readString(dir.resolve("train_step/parameters.json"));
        Matcher entry = Pattern.compile("\"name\":\\s*\"([^\"]+)\",\\s*\"shape\":\\s*\\[([^\\]]*)\\],\\s*"
                + "\"stored_as\":\\s*\"([^\"]+)\"").matcher(json);
        Map<String, Integer> reads = new HashMap<>();
        for (Node n : g.nodes()) for (String i : n.inputs()) reads.merge(i, 1, Integer::sum);
        int parameters = 0;
        for (; entry.find(); parameters++) {
            String name = entry.group(1);
            long[] shape = Pattern.compile(",").splitAsStream(entry.group(2).strip())
                    .filter(s -> !s.isBlank()).mapToLong(s -> Long.parseLong(s.strip())).toArray();
            Tensor t = g.initializers().get(name);
            assertTrue(t != null, name + " is not an initializer after import");
            assertArrayEquals(shape, t.shape(), name);
            assertArrayEquals(source.initializers().get(entry.group(3)).floats(), t.floats(), 0f, name);
            assertEquals(1, reads.get(name), name + " must be read by exactly one node");
        }
        assertTrue(parameters > 20, "parameters.json lists the parameters");
    }

    /**
     * {@code x.view(x.size(0), -1)} as PyTorch exports it with a dynamic batch: the target is computed from
     * Shape(x). After import the target is a constant that works at any batch.
     */
    @Test
    void reshapeFromShapeStaysUsableAtAnyBatch() throws IOException {
        Graph g = TinyModels.cnn();
        Node flatten = TinyModels.node(g, "flatten");
        g.nodes().remove(flatten);
        int at = g.nodes().indexOf(TinyModels.node(g, "fc"));
        List<Node> export = List.of(
                new Node("Shape", "shape", List.of("p"), List.of("s")),
                new Node("Constant", "c0", List.of(), List.of("zero"))
                        .with("value", Attribute.of(Tensor.ofLongs(new long[0], 0))),
                new Node("Gather", "gather", List.of("s", "zero"), List.of("n")),
                new Node("Constant", "c1", List.of(), List.of("axes")).with("value", Attribute.of(Tensor.vector(0))),
                new Node("Unsqueeze", "unsq", List.of("n", "axes"), List.of("n1")),
                new Node("Constant", "c2", List.of(), List.of("m1")).with("value", Attribute.of(Tensor.vector(-1))),
                new Node("Concat", "concat", List.of("n1", "m1"), List.of("target")).with("axis", 0),
                new Node("Reshape", "reshape", List.of("p", "target"), List.of("f")));
        g.nodes().addAll(at, export);
        ImportedModel m = ModelImporter.load(TinyModels.write(g, tmp));

        List<String> ops = m.graph().nodes().stream().map(Node::opType).toList();
        assertEquals(List.of("Conv", "Relu", "GlobalAveragePool", "Reshape", "Gemm"), ops);
        Node reshape = TinyModels.node(m.graph(), "reshape");
        assertArrayEquals(new long[] {0, -1}, m.graph().initializers().get(reshape.input(1)).longs());
        for (long batch : new long[] {1, 3}) {
            Tensor x = TinyModels.random(m.inputShape(batch));
            Tensor viaSymbolic = run(m.graph(), "x", x);
            assertArrayEquals(new long[] {batch, 5}, viaSymbolic.shape());
            assertClose(viaSymbolic.floats(), run(m.atBatch(batch), "x", x).floats());
            assertClose(viaSymbolic.floats(), run(TinyModels.cnn(), "x", x).floats());
        }
    }

    @Test
    void aWeightReadByTwoLayersIsUntied() throws IOException {
        Graph g = TinyModels.cnn();
        g.addInitializer("conv2.w", TinyModels.random(4, 4, 3, 3));
        int at = g.nodes().indexOf(TinyModels.node(g, "relu")) + 1;
        g.nodes().add(at, new Node("Conv", "conv2", List.of("r", "conv2.w"), List.of("c2")).withInts("pads", 1, 1, 1, 1));
        g.nodes().add(at + 1, new Node("Conv", "conv3", List.of("c2", "conv2.w"), List.of("c3"))
                .withInts("pads", 1, 1, 1, 1));
        TinyModels.node(g, "gap").inputs().set(0, "c3");
        Graph imported = ModelImporter.load(TinyModels.write(g, tmp)).graph();
        String w2 = TinyModels.node(imported, "conv2").input(1);
        String w3 = TinyModels.node(imported, "conv3").input(1);
        assertNotEquals(w2, w3);
        assertArrayEquals(imported.initializers().get(w2).floats(), imported.initializers().get(w3).floats());
    }

    @Test
    void aFixedBatchModelWithFlattenWorksAtAnyBatch() throws IOException {
        Graph g = TinyModels.cnn();
        g.inputs().set(0, g.inputs().get(0).withShape(new long[] {1, 3, 8, 8}));
        g.outputs().set(0, g.outputs().get(0).withShape(new long[] {1, 5}));
        ImportedModel m = ModelImporter.load(TinyModels.write(g, tmp));
        assertArrayEquals(new long[] {3, 5}, m.atBatch(3).outputs().get(0).shape());
    }

    @Test
    void aModelThatOnlyWorksAtItsExportedBatchIsExplained() throws IOException {
        Graph g = TinyModels.cnn();
        g.inputs().set(0, g.inputs().get(0).withShape(new long[] {1, 3, 8, 8}));
        Node flatten = TinyModels.node(g, "flatten");
        g.nodes().set(g.nodes().indexOf(flatten), new Node("Reshape", "flatten", List.of("p", "fixed"), List.of("f")));
        g.addInitializer("fixed", Tensor.vector(1, -1));
        BadInputException e = assertThrows(BadInputException.class,
                () -> ModelImporter.load(TinyModels.write(g, tmp)));
        assertTrue(e.getMessage().startsWith("the model works only at the batch size it was exported with (1)"),
                e.getMessage());
    }

    @Test
    void unnamedNodesGetUniqueNames() throws IOException {
        Graph g = TinyModels.cnn();
        for (Node n : g.nodes()) n.setName("");
        Graph imported = ModelImporter.load(TinyModels.write(g, tmp)).graph();
        assertEquals(imported.nodes().size(), imported.nodes().stream().map(Node::name).distinct().count());
        assertTrue(imported.nodes().stream().noneMatch(n -> n.name().isEmpty()));
    }

    @Test
    void shapeChecksAreOneLine() throws IOException {
        assertRejected(g -> g.opsets().put("", 10L), "opset 10");
        assertRejected(g -> g.opsets().put("", 23L), "opset 23");
        assertRejected(g -> TinyModels.retype(g, "relu", "Selu"),
                "node 'relu' (Selu): operator Selu is not supported by neuroflux");
        assertRejected(g -> g.nodes().set(1, new Node("Relu", "relu", "com.microsoft", List.of("c"), List.of("r"),
                new java.util.LinkedHashMap<>())), "domain 'com.microsoft'");
        assertRejected(g -> TinyModels.node(g, "relu").inputs().set(0, "nowhere"),
                "node 'relu' (Relu) reads 'nowhere', which is neither");
        assertRejected(g -> TinyModels.node(g, "conv").inputs().set(0, "f"), "cycle");
        assertRejected(g -> g.inputs().add(new ValueInfo("y", DataType.FLOAT, new long[] {1, 3})), "2 inputs");
        assertRejected(g -> g.inputs().set(0, new ValueInfo("x", DataType.FLOAT, new long[] {-1, 3, 8})),
                "needs a 4-D float image batch");
        assertRejected(g -> g.inputs().set(0, new ValueInfo("x", DataType.INT64, new long[] {-1, 3, 8, 8})),
                "needs a 4-D float image batch");
        assertRejected(g -> g.inputs().set(0, new ValueInfo("x", DataType.FLOAT, new long[] {-1, 3, -1, 8})),
                "must be known");
        assertRejected(g -> g.inputs().set(0, new ValueInfo("x", DataType.FLOAT, new long[] {-1, 3, 100000, 8})),
                "must be known and between 1 and");
        assertRejected(g -> {
            g.outputs().set(0, new ValueInfo("p", DataType.FLOAT, null));
        }, "output 'p' is FLOAT Nx4x1x1; neuroflux needs classifier logits");
        assertRejected(g -> {
            g.outputs().add(new ValueInfo("p", DataType.FLOAT, null));
        }, "2 outputs");
        assertRejected(g -> {
            g.addInitializer("fc.w", TinyModels.random(1, 4));
            g.addInitializer("fc.b", TinyModels.random(1));
            g.outputs().set(0, new ValueInfo("logits", DataType.FLOAT, null));
        }, "with K ≥ 2");
        assertRejected(g -> {
            g.addInitializer("big", Tensor.vector(1, 1, 4096, 4096));
            g.add(new Node("Tile", "tile", List.of("r", "big"), List.of("t")));
            TinyModels.node(g, "gap").inputs().set(0, "t");
        }, "node 'tile' (Tile): output 't' would hold");
    }

    @Test
    void brokenFilesAreOneLine() throws IOException {
        Path truncated = tmp.resolve("truncated.onnx");
        byte[] bytes = OnnxModels.toBytes(TinyModels.cnn());
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.load(truncated));
        assertTrue(e.getMessage().contains("not a valid ONNX model"), e.getMessage());
        assertThrows(BadInputException.class, () -> ModelImporter.load(tmp.resolve("missing.onnx")));
    }

    private void assertRejected(Consumer<Graph> breakIt, String expected) throws IOException {
        Graph g = TinyModels.cnn();
        breakIt.accept(g);
        Path dir = Files.createTempDirectory(tmp, "case");
        Path file = TinyModels.write(g, dir);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.load(file), expected);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static Tensor run(Graph g, String input, Tensor x) {
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            return s.run(Map.of(input, x)).values().iterator().next();
        }
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= 1e-4, "largest difference " + worst);
    }
}
