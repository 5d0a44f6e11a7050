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
        if (p.get("memory_measured").asBoolean()) {
            assertTrue(u.has("measured"));
            assertEquals(2, u.get("measured_points").size(), "no budget: two batch sizes");
            assertEquals(u.get("measured_batches").get(1).asInt(), u.get("measured_points").get(1).get("batch").asInt());
            assertTrue(u.get("measured_points").get(0).get("held_bytes").asLong() >= 0);
        }
        assertTrue(u.get("planner").get("peak").get("points").size() >= 1);
        assertTrue(u.get("planner").has("held"));
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
        assertTrue(p.get("resident_bytes").asLong() >= 0);
        assertTrue(p.get("profile_s").asDouble() > 0 && p.get("verify_s").asDouble() > 0);
        assertEquals(3, p.get("profile").get("units").size(), "the unit profiles the predictions rest on");
        assertEquals(p.get("usable_bytes").asLong(), p.get("profile").get("bracket_bytes").asLong(),
                "the profile brackets the batch sizes the budget admits");
        int units = 0;
        for (JsonNode b : p.get("blocks")) {
            units += b.get("units").size();
            assertTrue(b.get("batch_size").asInt() >= 1);
            assertTrue(b.get("batch_size").asInt() <= b.get("planned_batch_size").asInt(), "lowered, never raised");
            assertTrue(b.get("predicted_peak_bytes").asLong() > 0);
            long predicted = b.get("predicted_peak_at_measured_batch_bytes").asLong();
            assertTrue(predicted > 0 && predicted <= b.get("predicted_peak_bytes").asLong(),
                    "the prediction at the measured batch, no larger than at the planned one");
            if (b.get("measured_peak_bytes").isNull()) {
                assertTrue(b.get("prediction_error").isNull());
            } else {
                long measured = b.get("measured_peak_bytes").asLong();
                assertEquals((predicted - measured) / (double) measured, b.get("prediction_error").asDouble(), 1e-12);
            }
            JsonNode first = b.get("measurements").get(0);
            assertEquals(b.get("planned_batch_size").asInt(), first.get("batch_size").asInt(), "planned batch first");
            JsonNode last = b.get("measurements").get(b.get("measurements").size() - 1);
            assertEquals(b.get("batch_size").asInt(), last.get("batch_size").asInt(), "the batch it trains at last");
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
    void planWithVerifyPrintsThePredictionAtTheMeasuredBatchAndItsError() {
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "32MiB",
                "--verify");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("predicted there") && r.out().contains("measured peak")
                && r.out().contains("error"), r.out());
        assertTrue(r.out().matches("(?s).*[+-]\\d+\\.\\d%.*") || r.out().contains("not measured"), r.out());
    }

    @Test
    void aTooSmallBudgetIsRefusedWithTheSmallestThatWorks() {
        // one byte: in this test JVM, whose heap is not pinned, a tiny unit's measured fixed memory can read about 0
        // (its step reuses memory already resident), and 8 KiB then fitted; no unit's per-sample figure is below
        // one byte, whatever the measurement
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "1");
        assertTrue(r.status() != 0);
        assertTrue(r.err().contains("smallest budget that works"), r.err());
    }

    @Test
    void planWithSplitKeepsTheGivenBlocksAndRefusesABadOne() {
        Run r = run("plan", model, "--data", "synthetic", "--threads", "1", "--batch-cap", "64", "--budget", "32MiB",
                "--split", "1,2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode blocks = Json.parse(r.out(), "plan").get("blocks");
        assertEquals(2, blocks.size(), r.out());
        assertEquals(1, blocks.get(0).get("units").size(), r.out());
        assertEquals(2, blocks.get(1).get("units").size(), r.out());

        Run bad = run("plan", model, "--data", "synthetic", "--threads", "1", "--budget", "32MiB", "--split", "1,1");
        assertEquals(2, bad.status(), bad.err());
        assertTrue(bad.err().contains("--split"), bad.err());
    }
}
