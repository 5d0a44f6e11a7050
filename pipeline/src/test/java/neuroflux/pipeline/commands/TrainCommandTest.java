package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import neuroflux.onnx.Graph;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainsOnSyntheticDataAndWritesModelReportAndGraphs() throws Exception {
        Path model = Fixtures.dir("resnet8-cifar").resolve("model.onnx");
        Path out = tmp.resolve("run");
        Path graphs = tmp.resolve("graphs");
        RunCommandTest.Outcome r = RunCommandTest.neuroflux("train", model.toString(), "--method", "bp", "--data",
                "synthetic", "--epochs", "2", "--batch-size", "16", "--limit-train", "64", "--out", out.toString(),
                "--threads", "1", "--dump-graphs", graphs.toString(), "--lr", "0.02");
        assertEquals(0, r.status(), r.err());
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("epoch ")).count(), r.err());
        assertTrue(r.err().contains("samples/s"), r.err());
        var report = neuroflux.pipeline.report.Json.parse(Files.readString(out.resolve("report.json")), "report");
        assertEquals("bp", report.get("method").asText());
        assertEquals(16, report.get("batch_size").asInt());
        assertEquals(2, report.get("epochs").asInt());
        assertEquals(78042, report.get("params").asLong());
        assertTrue(report.get("train_samples_per_s").asDouble() > 0);
        assertTrue(report.get("wall_time_s").asDouble() > 0);
        double accuracy = report.get("test_accuracy").asDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        Graph trained = OnnxModels.read(out.resolve("model.onnx"));
        Graph original = OnnxModels.read(model);
        assertTrue(trained.initializers().keySet().size() >= original.initializers().size());
        boolean changed = false;
        for (var e : original.initializers().entrySet()) {
            Tensor t = trained.initializers().get(e.getKey());
            if (t != null && !java.util.Arrays.equals(t.floats(), e.getValue().floats())) changed = true;
        }
        assertTrue(changed, "training changed the weights");
        try (OrtSession s = OrtSession.open(trained, RuntimeOptions.cpu(1))) {
            float[] logits = s.run(Map.of(trained.inputs().get(0).name(), Tensor.zeros(neuroflux.onnx.DataType.FLOAT,
                    new long[] {3, 3, 32, 32}))).values().iterator().next().floats();
            assertEquals(30, logits.length);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
        assertTrue(Files.size(graphs.resolve("train-step.onnx")) > 0);
        assertTrue(Files.size(graphs.resolve("evaluate.onnx")) > 0);
    }

    @Test
    void trainsWithAdamWOnACosineSchedule() throws Exception {
        Path out = tmp.resolve("adamw");
        RunCommandTest.Outcome r = RunCommandTest.neuroflux("train", Fixtures.dir("vgg-small-fmnist").resolve(
                "model.onnx").toString(), "--data", "synthetic", "--epochs", "1", "--batch-size", "8",
                "--limit-train", "32", "--optimizer", "adamw", "--schedule", "cosine", "--lr", "1e-3",
                "--weight-decay", "0.01", "--out", out.toString(), "--threads", "1", "--lr-batch", "32");
        assertEquals(0, r.status(), r.err());
        var report = neuroflux.pipeline.report.Json.parse(Files.readString(out.resolve("report.json")), "report");
        assertEquals(32, report.get("lr_reference_batch").asInt());
        assertEquals(1e-3 * 8 / 32, report.get("peak_lr").asDouble(), 1e-15, "batch 8 of reference 32: a quarter");
        assertEquals("adamw", report.get("optimizer").asText());
        assertEquals("cosine", report.get("schedule").asText());
        assertTrue(Double.isFinite(report.get("train_loss").asDouble()));
    }

    @Test
    void anUnknownMethodIsBadInput() {
        assertBadInput("unknown --method 'magic'", "--method", "magic");
    }

    @Test
    void aNegativeReferenceBatchIsBadInput() {
        assertBadInput("--lr-batch", "--lr-batch", "-4");
    }

    @Test
    void aBadNumberIsBadInput() {
        assertBadInput("--epochs must be a number", "--epochs", "two");
    }

    /** train with these options exits with status 2 and says {@code expected}. */
    private void assertBadInput(String expected, String... options) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train",
                Fixtures.dir("resnet8-cifar").resolve("model.onnx").toString(), "--out", tmp.toString()));
        args.addAll(java.util.List.of(options));
        RunCommandTest.Outcome r = RunCommandTest.neuroflux(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }
}
