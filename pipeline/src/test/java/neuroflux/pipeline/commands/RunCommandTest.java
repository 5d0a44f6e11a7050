package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.proto.Onnx.ModelProto;
import neuroflux.onnx.proto.Onnx.StringStringEntryProto;
import neuroflux.onnx.proto.Onnx.TensorProto;
import neuroflux.pipeline.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class RunCommandTest {
    static final List<String> FIXTURES = Fixtures.NAMES;

    @TempDir
    Path tmp;

    record Outcome(int status, String out, String err) {}

    static Outcome neuroflux(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void fixtureOutputMatchesTheReference(String fixture) {
        Path dir = Fixtures.dir(fixture);
        Path written = tmp.resolve("out/logits.pb");
        Outcome r = neuroflux("run", dir.resolve("model.onnx").toString(), "--input",
                dir.resolve("test_data_set_0/input_0.pb").toString(), "--threads", "1", "--output", written.toString());
        assertEquals(0, r.status(), r.err());
        Tensor expected = TensorCodec.read(dir.resolve("test_data_set_0/output_0.pb"));
        Tensor actual = TensorCodec.read(written);
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.floats();
        float[] a = actual.floats();
        double worst = 0;
        for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(e[i] - a[i]));
        assertTrue(worst <= 1e-4, "largest difference " + worst);

        String[] lines = r.out().strip().split("\n");
        assertEquals("logits: 4x10 float", lines[0]);
        assertEquals(5, lines.length, r.out());
        for (int row = 0; row < 4; row++) {
            int best = 0;
            for (int k = 1; k < 10; k++) if (e[row * 10 + k] > e[row * 10 + best]) best = k;
            assertTrue(lines[row + 1].startsWith(row + ": class " + best + "  ["), lines[row + 1]);
        }
    }

    @Test
    void badInputsExitWithStatusTwoAndOneLine() throws IOException {
        Path vgg = Fixtures.dir("vgg-small-fmnist");
        String model = vgg.resolve("model.onnx").toString();
        String input = vgg.resolve("test_data_set_0/input_0.pb").toString();

        byte[] bytes = Files.readAllBytes(vgg.resolve("model.onnx"));
        Path truncated = tmp.resolve("truncated.onnx");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertBadInput("not a valid ONNX model", "run", truncated.toString(), "--input", input);

        assertBadInput("operator Selu is not supported by neuroflux", "run",
                broken(g -> retype(g, "Relu", "Selu")), "--input", input);
        assertBadInput("which is neither a graph input, an initializer nor the output of any node", "run",
                broken(g -> firstOf(g, "Relu").inputs().set(0, "nowhere")), "--input", input);
        assertBadInput("cycle", "run",
                broken(g -> firstOf(g, "Conv").inputs().set(0, g.outputs().get(0).name())), "--input", input);
        assertBadInput("outside the model's folder", "run", externalDataOutsideTheFolder(bytes), "--input", input);
        assertBadInput("node 'two\\nlines' (Selu)", "run", broken(g -> {
            retype(g, "Relu", "Selu");
            firstOf(g, "Selu").setName("two\nlines");
        }), "--input", input);
        // the importer ignores attributes it does not read; ONNX Runtime refuses them, naming the model
        String refused = broken(g -> firstOf(g, "Relu").with("bogus", 1L));
        assertBadInput("ONNX Runtime refuses the model " + refused + ": ", "run", refused, "--input", input);

        assertBadInput("no such file", "run", model, "--input", tmp.resolve("missing.pb").toString());
        assertBadInput("no such model file", "run", tmp.resolve("missing.onnx").toString(), "--input", input);
        assertBadInput("the model expects Nx1x28x28", "run", model, "--input",
                Fixtures.dir("resnet8-cifar").resolve("test_data_set_0/input_0.pb").toString());
        assertBadInput("--threads", "run", model, "--input", input, "--threads", "many");
        assertBadInput("unknown device", "run", model, "--input", input, "--device", "tpu");
        assertBadInput("--input X.pb is required", "run", model);
        assertBadInput("expected one model file", "run", "--input", input);
    }

    private void assertBadInput(String expected, String... args) {
        Outcome r = neuroflux(args);
        assertEquals(2, r.status(), "exit status for " + String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
    }

    /** The vgg fixture changed by {@code change} and written to a new folder; returns the model's path. */
    private String broken(Consumer<Graph> change) throws IOException {
        Graph g = OnnxModels.read(Fixtures.dir("vgg-small-fmnist").resolve("model.onnx"));
        change.accept(g);
        Path file = Files.createTempDirectory(tmp, "model").resolve("model.onnx");
        OnnxModels.write(g, file);
        return file.toString();
    }

    /** A model whose first initializer claims its data lies in ../outside.bin, beside the model's folder. */
    private String externalDataOutsideTheFolder(byte[] bytes) throws IOException {
        ModelProto.Builder m = ModelProto.parseFrom(bytes).toBuilder();
        TensorProto.Builder t = m.getGraphBuilder().getInitializerBuilder(0);
        t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../outside.bin"));
        Path dir = Files.createTempDirectory(tmp, "external");
        Files.write(dir.resolveSibling("outside.bin"), new byte[1 << 16]);
        Path file = dir.resolve("model.onnx");
        Files.write(file, m.build().toByteArray());
        return file.toString();
    }

    private static Node firstOf(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).findFirst().orElseThrow();
    }

    private static void retype(Graph g, String opType, String newType) {
        Node old = firstOf(g, opType);
        g.nodes().set(g.nodes().indexOf(old),
                new Node(newType, old.name(), old.domain(), old.inputs(), old.outputs(), old.attributes()));
    }
}
