package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradcheckCommandTest {
    @TempDir
    Path tmp;

    @Test
    void vggFixturePasses() {
        RunCommandTest.Outcome r = gradcheckFixture("vgg-small-fmnist", "--threads", "1");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("all within tolerance"), r.out());
        assertTrue(r.out().contains("worst gradient: "), r.out());
    }

    @Test
    void mobileNetFixturePassesRoundingAsPyTorch() {
        RunCommandTest.Outcome r = gradcheckFixture("mobilenetv2-w025-cifar", "--threads", "1");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("all within tolerance"), r.out());
    }

    @Test
    void anUnknownRoundingIsBadInput() {
        RunCommandTest.Outcome r = gradcheckFixture("vgg-small-fmnist", "--rounding", "fast");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--rounding must be pytorch or native"), r.err());
    }

    @Test
    void aWrongReferenceGradientFailsAndIsNamed() throws IOException {
        Path dir = Fixtures.dir("resnet8-cifar");
        Path reference = tmp.resolve("train_step");
        Files.createDirectories(reference.resolve("grad"));
        Files.copy(dir.resolve("train_step/loss.pb"), reference.resolve("loss.pb"));
        Files.copy(dir.resolve("train_step/labels.pb"), reference.resolve("labels.pb"));
        try (var files = Files.list(dir.resolve("train_step/grad"))) {
            for (Path f : files.toList()) {
                Path to = reference.resolve("grad").resolve(f.getFileName());
                if (f.getFileName().toString().equals("layers.1.c2.weight.pb")) {
                    Tensor t = TensorCodec.read(f);
                    float[] v = t.floats();
                    for (int i = 0; i < v.length; i++) v[i] *= 1.1f;
                    TensorCodec.write(to, "layers.1.c2.weight", Tensor.ofFloats(t.shape(), v));
                } else {
                    Files.copy(f, to);
                }
            }
        }
        RunCommandTest.Outcome r = RunCommandTest.neuroflux("gradcheck", dir.resolve("model.onnx").toString(),
                "--reference", reference.toString(), "--input", dir.resolve("test_data_set_0/input_0.pb").toString(),
                "--threads", "1");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("1 of ") && r.out().contains("  layers.1.c2.weight: "), r.out());
    }

    @Test
    void aMissingReferenceFolderIsBadInput() {
        Path dir = Fixtures.dir("vgg-small-fmnist");
        RunCommandTest.Outcome r = RunCommandTest.neuroflux("gradcheck", dir.resolve("model.onnx").toString(),
                "--reference", tmp.resolve("nowhere").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no reference folder"), r.err());
        assertEquals(1, r.err().strip().lines().count());
    }

    /** gradcheck of a fixture's model against its own train_step reference, with further options. */
    private static RunCommandTest.Outcome gradcheckFixture(String fixture, String... options) {
        Path dir = Fixtures.dir(fixture);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("gradcheck",
                dir.resolve("model.onnx").toString(), "--reference", dir.resolve("train_step").toString()));
        args.addAll(java.util.List.of(options));
        return RunCommandTest.neuroflux(args.toArray(String[]::new));
    }
}
