package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.TinyCnn;
import neuroflux.pipeline.report.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** profile and plan on a tiny model and synthetic data: their tables, their JSON, and a budget refused. */
class PlanCommandTest {
    @TempDir
    static Path dir;
    static String model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = TinyCnn.write(dir).toString();
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void profilePrintsOneRowPerUnitAndBackprop() {
        Run r = run("profile", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("head filters"), r.out());
        for (String unit : new String[] {"unit0", "unit1", "unit2", "backprop"}) assertTrue(r.out().contains(unit), r.out());
        assertTrue(r.out().contains("classifier"), "the last unit's exit is the model's classifier");
    }

    @Test
    void profileJsonHasPredictedAndMeasuredFigures() {
        Run r = run("profile", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode p = Json.parse(r.out(), "profile output");
        assertEquals(3, p.get("units").size());
        JsonNode u = p.get("units").get(0);
        assertTrue(u.get("predicted").get("fixed_bytes").asLong() > 0);
        assertTrue(u.has("train_time") && u.has("cache_time"));
        if (p.get("memory_measured").asBoolean()) assertTrue(u.has("measured"));
        assertTrue(p.get("backprop").has("predicted"));
    }

    @Test
    void planJsonWithVerifyHasBlocksAndMeasuredPeaks() {
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "32MiB",
                "--json", "--verify");
        assertEquals(0, r.status(), r.err());
        JsonNode p = Json.parse(r.out(), "plan output");
        assertEquals(32L << 20, p.get("budget_bytes").asLong());
        assertTrue(p.get("min_budget_bytes").asLong() > 0);
        assertTrue(p.get("bp_batch_size").asInt() >= 0);
        int units = 0;
        for (JsonNode b : p.get("blocks")) {
            units += b.get("units").size();
            assertTrue(b.get("batch_size").asInt() >= 1);
            assertTrue(b.get("predicted_peak_bytes").asLong() > 0);
            assertTrue(b.has("measured_peak_bytes"));
        }
        assertEquals(3, units);
    }

    @Test
    void planPrintsItsTable() {
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "32MiB");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("predicted peak"), r.out());
        assertTrue(r.out().contains("end-to-end backprop"), r.out());
    }

    @Test
    void aTooSmallBudgetIsRefusedWithTheSmallestThatWorks() {
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "8KiB");
        assertTrue(r.status() != 0);
        assertTrue(r.err().contains("smallest budget that works"), r.err());
    }
}
