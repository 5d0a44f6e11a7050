package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.Main;
import neuroflux.stages.models.TrainableParameters;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesAModelThatReadsBackAndRuns() throws Exception {
        Path file = dir.resolve("sub/m.onnx");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"model", "mobilenet_v2:0.25", "--input", "3x16x12", "--classes", "5",
                "--out", file.toString(), "--seed", "3"}, print(out), print(err));
        assertEquals(0, status, text(err));

        Graph g = OnnxModels.read(file);
        assertArrayEquals(new long[] {-1, 3, 16, 12}, g.inputs().get(0).shape());
        assertArrayEquals(new long[] {-1, 5}, g.outputs().get(0).shape());
        String summary = text(out);
        assertEquals(1, summary.lines().count(), summary);
        assertTrue(summary.contains("mobilenet_v2:0.25"), summary);
        assertTrue(summary.contains(String.format("%,d", TrainableParameters.count(g))), summary);
        assertTrue(summary.contains(file.toString()), summary);
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            Tensor logits = s.run(Map.of("input", Tensor.zeros(neuroflux.onnx.DataType.FLOAT,
                    new long[] {2, 3, 16, 12}))).get("logits");
            assertArrayEquals(new long[] {2, 5}, logits.shape());
            for (float v : logits.floats()) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void theSeedDecidesTheWeights() throws Exception {
        Path a = write("a.onnx", "--seed", "7");
        Path same = write("same.onnx", "--seed", "7");
        Path other = write("other.onnx", "--seed", "8");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(same));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(other)));
    }

    @Test
    void malformedInputSizesAreBadInput() {
        for (String input : new String[] {"3x32", "3x32x32x1", "3x0x32", "-3x32x32", "axbxc", "3x32x", ""}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> run("vgg11", "--input", input, "--classes", "10", "--out", dir.resolve("m.onnx").toString()),
                    input);
            assertTrue(e.getMessage().contains("--input"), e.getMessage());
        }
    }

    @Test
    void nonPositiveOrMalformedClassesAreBadInput() {
        for (String classes : new String[] {"0", "-2", "ten", "1.5"}) {
            assertThrows(BadInputException.class, () -> run("vgg11", "--input", "3x32x32", "--classes", classes,
                    "--out", dir.resolve("m.onnx").toString()), classes);
        }
    }

    @Test
    void anUnknownOrMissingNameIsBadInput() {
        String out = dir.resolve("m.onnx").toString();
        BadInputException e = assertThrows(BadInputException.class,
                () -> run("alexnet", "--input", "3x32x32", "--classes", "10", "--out", out));
        assertTrue(e.getMessage().contains("resnet18"), e.getMessage());
        assertThrows(BadInputException.class, () -> run("--input", "3x32x32", "--classes", "10", "--out", out));
        assertThrows(BadInputException.class,
                () -> run("vgg11", "vgg16", "--input", "3x32x32", "--classes", "10", "--out", out));
        assertFalse(Files.exists(dir.resolve("m.onnx")));
    }

    @Test
    void anUnwritableOutputIsBadInput() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a folder");
        assertThrows(BadInputException.class, () -> run("mobilenet_v2:0.25", "--input", "1x8x8", "--classes", "2",
                "--out", blocker.resolve("m.onnx").toString()));
        assertThrows(BadInputException.class, () -> run("mobilenet_v2:0.25", "--input", "1x8x8", "--classes", "2",
                "--out", dir.toString()));
    }

    @Test
    void theCommandLineReportsBadInputInOneLineWithStatusTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"model", "vgg11", "--input", "3by32", "--classes", "10", "--out",
                dir.resolve("m.onnx").toString()}, print(new ByteArrayOutputStream()), print(err));
        assertEquals(Main.BAD_INPUT, status);
        assertEquals(1, text(err).lines().count(), text(err));
        assertTrue(text(err).startsWith("neuroflux model: --input"), text(err));
    }

    private Path write(String fileName, String... extra) throws Exception {
        Path file = dir.resolve(fileName);
        String[] base = {"mobilenet_v2:0.25", "--input", "1x8x8", "--classes", "3", "--out", file.toString()};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        assertEquals(0, run(args));
        return file;
    }

    private static int run(String... args) throws Exception {
        ModelCommand c = new ModelCommand();
        return c.run(new DefaultParser().parse(c.options(), args), print(new ByteArrayOutputStream()),
                print(new ByteArrayOutputStream()));
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
