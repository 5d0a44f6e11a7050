package neuroflux.stages.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.StringStringEntryProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models built to crash, hang or fool the importer, each rejected with one line. Checks that other tests already
 * cover through the importer (opsets, unknown operators, dangling inputs, cycles, non-classifier outputs, a
 * Tile of absurd size) are in {@link ModelImporterTest}; the cases marked "found by the fuzzer" crashed or hung
 * before {@link ImporterFuzzTest} led to their fixes.
 */
class HostileModelsTest {
    /** Generous for a graph of 20,000 nodes on a slow machine; the quadratic passes took minutes. */
    static final Duration LINEAR = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void filesThatAreNoModelAreRejected() throws IOException {
        assertRejected(write("not.onnx", "ir_version: 8\ngraph { }\n".getBytes()), "not.onnx");
        assertRejected(write("empty.onnx", new byte[0]), "holds no graph");
        byte[] model = OnnxModels.toBytes(TinyModels.cnn());
        for (int cut : new int[] {1, 7, model.length / 2, model.length - 1}) {
            assertRejected(write("cut" + cut + ".onnx", java.util.Arrays.copyOf(model, cut)), "cut" + cut + ".onnx");
        }
        assertRejected(tmp, "is a folder");
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        assertRejected(zero, "not a regular file");
    }

    /**
     * Each shape operator asked to make a value far larger than any image model has, placed between the pooling
     * (p, N×4×1×1) and the Flatten. A Reshape cannot grow a value, but its target can be absurd.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Reshape", "Expand", "Tile", "ConstantOfShape", "Range"})
    void shapeOperatorsWithEnormousResultsAreRejected(String op) throws IOException {
        Graph g = TinyModels.cnn();
        List<Node> extra = switch (op) {
            case "Reshape" -> {
                g.addInitializer("target", Tensor.vector(1L << 40, 1L << 40, -1));
                yield List.of(new Node("Reshape", "big", List.of("p", "target"), List.of("big")));
            }
            case "Expand" -> {
                g.addInitializer("target", Tensor.vector(1, 4, 1L << 20, 1L << 20));
                yield List.of(new Node("Expand", "big", List.of("p", "target"), List.of("big")));
            }
            case "Tile" -> {
                g.addInitializer("target", Tensor.vector(1, 1, 1L << 30, 1L << 30));
                yield List.of(new Node("Tile", "big", List.of("p", "target"), List.of("big")));
            }
            case "ConstantOfShape" -> {
                g.addInitializer("target", Tensor.vector(1L << 21, 1L << 21));
                yield List.of(new Node("ConstantOfShape", "big", List.of("target"), List.of("k")),
                        new Node("Add", "add", List.of("p", "k"), List.of("big")));
            }
            default -> {
                g.addInitializer("start", Tensor.scalar(0f));
                g.addInitializer("limit", Tensor.scalar(1e15f));
                g.addInitializer("delta", Tensor.scalar(1f));
                yield List.of(new Node("Range", "big", List.of("start", "limit", "delta"), List.of("k")),
                        new Node("Add", "add", List.of("p", "k"), List.of("big")));
            }
        };
        g.nodes().addAll(3, extra);
        TinyModels.node(g, "flatten").inputs().set(0, "big");
        BadInputException e = assertRejected(file(g), "node 'big' (" + op + "): ");
        assertTrue(e.getMessage().contains("absurdly large"), e.getMessage());
    }

    @Test
    void absurdDeclaredSizesAreRejected() throws IOException {
        assertRejected(changed(g -> g.inputs().set(0, new ValueInfo("x", DataType.FLOAT,
                new long[] {-1, 3, 1L << 40, 8}))), "between 1 and");
        assertRejected(changed(g -> g.inputs().set(0, new ValueInfo("x", DataType.FLOAT,
                new long[] {-1, 1 << 16, 1 << 16, 1 << 16}))), "values per sample");
        assertRejected(proto(m -> m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("huge")
                .setDataType(1).addDims(1L << 20).addDims(1L << 20).addDims(1L << 20))),
                "larger than neuroflux accepts");
    }

    @Test
    void externalDataOutsideTheModelsFolderIsRejected() throws IOException {
        Files.write(tmp.resolve("secret.bin"), new byte[4 * 4 * 3 * 3 * 3]);
        for (String location : new String[] {"../secret.bin", tmp.resolve("secret.bin").toString(), "link.bin"}) {
            Path dir = Files.createTempDirectory(tmp, "model");
            try {
                Files.createSymbolicLink(dir.resolve("link.bin"), tmp.resolve("secret.bin"));
            } catch (UnsupportedOperationException | IOException e) {
                if (location.equals("link.bin")) continue;
            }
            ModelProto.Builder m = OnnxModels.toProto(TinyModels.cnn()).toBuilder();
            TensorProto.Builder w = m.getGraphBuilder().getInitializerBuilder(0);
            w.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
            Path file = dir.resolve("model.onnx");
            Files.write(file, m.build().toByteArray());
            assertRejected(file, "outside the model's folder");
        }
    }

    /** Found by the fuzzer: a NUL in the location was an InvalidPathException. */
    @Test
    void anExternalDataLocationThatIsNoPathIsRejected() throws IOException {
        assertRejected(proto(m -> m.getGraphBuilder().getInitializerBuilder(0).clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("a\u0000b"))),
                "invalid external data location");
    }

    /** Found by the fuzzer: attributes of another kind than the operator's were ClassCastExceptions. */
    @Test
    void attributesOfTheWrongKindAreRejected() throws IOException {
        assertRejected(changed(g -> TinyModels.node(g, "conv").with("group", Attribute.of(1f))),
                "node 'conv' (Conv): attribute 'group' is of kind FLOAT, expected INT");
        assertRejected(changed(g -> TinyModels.node(g, "conv").with("pads", 1L)), "'pads' is of kind INT");
        assertRejected(changed(g -> TinyModels.node(g, "conv").with("auto_pad", 1L)), "'auto_pad' is of kind INT");
        assertRejected(changed(g -> TinyModels.node(g, "conv").with("strides", Attribute.ofFloats(1f, 1f))),
                "'strides' is of kind FLOATS");
    }

    /** Found by the fuzzer: a name with a line break made a two-line message. */
    @Test
    void namesWithLineBreaksStayOnOneLine() throws IOException {
        BadInputException e = assertRejected(changed(g -> {
            TinyModels.retype(g, "relu", "Selu");
            TinyModels.node(g, "relu").setName("two\nlines");
        }), "node 'two\\nlines' (Selu)");
        assertFalse(e.getMessage().contains("\n"));
    }

    /**
     * Found by the fuzzer: 20,000 nodes with one name, 20,000 dead nodes, or 20,000 layers sharing a weight each
     * made a pass of the importer quadratic, minutes for a file of a megabyte.
     */
    @ParameterizedTest
    @ValueSource(strings = {"same names", "dead chain", "shared weight"})
    void largeGraphsImportInLinearTime(String shape) throws IOException {
        Graph g = TinyModels.cnn();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            switch (shape) {
                case "same names" -> g.add(new Node("Relu", "relu", List.of("r"), List.of("dead" + i)));
                case "dead chain" -> g.add(new Node("Relu", "", List.of(i == 0 ? "r" : "dead" + (i - 1)),
                        List.of("dead" + i)));
                default -> g.add(new Node("Conv", "c" + i, List.of("x", "conv.w", "conv.b"), List.of("dead" + i)));
            }
        }
        Path file = file(g);
        ImportedModel m = assertTimeoutPreemptively(LINEAR, () -> ModelImporter.load(file));
        assertEquals(5, m.graph().nodes().size(), "the dead nodes are dropped");
    }

    /**
     * A Reshape of a constant by a target computed from the batch folds differently at the two batch sizes the
     * importer compares; the constant it reshapes is gone from the inferred graphs by then.
     */
    @Test
    void aConstantReshapedByTheBatchIsHandled() throws IOException {
        Graph g = TinyModels.cnn();
        g.addInitializer("data", Tensor.vector(new long[35]));
        g.addInitializer("zero", Tensor.ofLongs(new long[0], 0));
        g.addInitializer("axes", Tensor.vector(0));
        g.addInitializer("rest", Tensor.vector(-1));
        g.nodes().addAll(List.of(
                new Node("Shape", "shape", List.of("x"), List.of("s")),
                new Node("Gather", "batch", List.of("s", "zero"), List.of("n")),
                new Node("Unsqueeze", "unsq", List.of("n", "axes"), List.of("n1")),
                new Node("Concat", "target", List.of("n1", "rest"), List.of("t")).with("axis", 0L),
                new Node("Reshape", "reshape", List.of("data", "t"), List.of("unused"))));
        ImportedModel m = ModelImporter.load(file(g));
        assertArrayEquals(new long[] {2, 5}, m.atBatch(2).outputs().get(0).shape());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private Path file(Graph g) throws IOException {
        return TinyModels.write(g, Files.createTempDirectory(tmp, "model"));
    }

    private Path changed(Consumer<Graph> change) throws IOException {
        Graph g = TinyModels.cnn();
        change.accept(g);
        return file(g);
    }

    private Path proto(Consumer<ModelProto.Builder> change) throws IOException {
        ModelProto.Builder m = OnnxModels.toProto(TinyModels.cnn()).toBuilder();
        change.accept(m);
        Path file = Files.createTempDirectory(tmp, "model").resolve("model.onnx");
        return Files.write(file, m.build().toByteArray());
    }

    private static BadInputException assertRejected(Path file, String expected) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelImporter.load(file), expected);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }
}
