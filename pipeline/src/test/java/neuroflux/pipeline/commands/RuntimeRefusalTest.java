package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model the importer accepts but ONNX Runtime refuses (here: an attribute Relu does not have, which the
 * importer has no reason to read) is bad input in every command that runs it, one line naming the model, before
 * any graph built from it reaches ONNX Runtime and the refusal looks like a bug of neuroflux.
 */
class RuntimeRefusalTest {
    @TempDir
    Path tmp;

    String model;

    @BeforeEach
    void refusedModel() throws IOException {
        Graph g = OnnxModels.read(Fixtures.dir("resnet8-cifar").resolve("model.onnx"));
        Node relu = g.nodes().stream().filter(n -> n.opType().equals("Relu")).findFirst().orElseThrow();
        relu.with("bogus", 1L);
        Path file = Files.createDirectories(tmp.resolve("model")).resolve("model.onnx");
        OnnxModels.write(g, file);
        model = file.toString();
    }

    @Test
    void inspectVerifyRefusesIt() {
        assertRefused(RunCommandTest.neuroflux("inspect", model, "--verify"));
    }

    @Test
    void trainRefusesIt() {
        assertRefused(RunCommandTest.neuroflux("train", model, "--data", "synthetic", "--epochs", "1",
                "--batch-size", "8", "--limit-train", "16", "--out", tmp.resolve("out").toString(), "--threads", "1"));
    }

    @Test
    void gradcheckRefusesIt() {
        assertRefused(RunCommandTest.neuroflux("gradcheck", model, "--reference",
                Fixtures.dir("resnet8-cifar").resolve("train_step").toString()));
    }

    private void assertRefused(RunCommandTest.Outcome r) {
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("ONNX Runtime refuses the model " + model + ": "), r.err());
        assertTrue(r.err().contains("Unrecognized attribute: bogus for operator Relu"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
    }
}
