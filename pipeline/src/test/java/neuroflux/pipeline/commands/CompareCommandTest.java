package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.TinyCnn;
import neuroflux.pipeline.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare runs every method on the same data and budget and writes its table, JSON and chart. */
class CompareCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesTableJsonAndChartForEveryMethod() throws Exception {
        String model = TinyCnn.write(dir).toString();
        Path out = dir.resolve("cmp");
        Run r = run("compare", model, "--data", "synthetic", "--limit-train", "256", "--budget", "64MiB", "--epochs",
                "2", "--batch-cap", "32", "--threads", "1", "--seed", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode c = Json.parse(Files.readString(out.resolve("compare.json")), "compare.json");
        JsonNode methods = c.get("methods");
        assertEquals(4, methods.size());
        String[] expected = {"bp", "bp-checkpoint", "ll", "neuroflux"};
        double lowest = 1;
        for (int i = 0; i < expected.length; i++) {
            JsonNode m = methods.get(i);
            assertEquals(expected[i], m.get("method").asText());
            assertTrue(Files.isRegularFile(out.resolve(expected[i]).resolve("model.onnx")));
            assertTrue(m.get("inference_samples_per_s_batch1").asDouble() > 0);
            assertTrue(m.get("inference_samples_per_s_batch64").asDouble() > 0);
            assertTrue(m.get("batch_sizes").size() >= 1);
            if (!m.get("peak_memory_bytes").isNull()) assertTrue(m.get("within_budget").asBoolean(), m.toString());
            lowest = Math.min(lowest, m.get("test_accuracy").asDouble());
            // the default target is the lowest final accuracy, which every method reached by its end
            assertTrue(m.get("time_to_target_s").isNumber(), m.toString());
        }
        assertEquals(lowest, c.get("target_accuracy").asDouble(), 1e-12);
        String md = Files.readString(out.resolve("compare.md"));
        for (String m : expected) assertTrue(md.contains("| " + m + " |"), md);
        String svg = Files.readString(out.resolve("accuracy-vs-time.svg"));
        assertTrue(svg.startsWith("<svg") || svg.startsWith("<?xml"), svg.substring(0, Math.min(80, svg.length())));
        for (String m : expected) assertTrue(svg.contains(m), "legend names " + m);
    }

    @Test
    void aFinishedMethodIsReadNotTrainedAgainAndOtherArgumentsAreRefused() throws Exception {
        String model = TinyCnn.write(dir).toString();
        Path out = dir.resolve("cmp");
        String[] args = {"compare", model, "--data", "synthetic", "--limit-train", "128", "--budget", "64MiB",
                "--epochs", "1", "--batch-cap", "32", "--threads", "1", "--methods", "bp", "--out", out.toString()};
        Run first = run(args);
        assertEquals(0, first.status(), first.err());
        Path report = out.resolve("bp").resolve("report.json");
        String written = Files.readString(report);
        java.nio.file.attribute.FileTime when = Files.getLastModifiedTime(report);

        Run again = run(args);
        assertEquals(0, again.status(), again.err());
        assertTrue(again.err().contains("bp already finished"), again.err());
        assertEquals(written, Files.readString(report));
        assertEquals(when, Files.getLastModifiedTime(report), "the finished run was not trained again");
        assertTrue(Files.isRegularFile(out.resolve("compare.md")));

        String[] other = args.clone();
        other[9] = "2"; // --epochs 2
        Run refused = run(other);
        assertEquals(2, refused.status(), refused.err());
        assertTrue(refused.err().contains("other arguments"), refused.err());
        assertEquals(written, Files.readString(report), "the earlier run is kept");
    }

    @Test
    void anUnknownMethodIsBadInput() {
        Run r = run("compare", "m.onnx", "--budget", "64MiB", "--methods", "bp,sgd", "--out", dir.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("unknown method 'sgd'"), r.err());
    }
}
