package neuroflux.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import neuroflux.pipeline.Planning;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.plan.Block;
import neuroflux.stages.plan.Plan;
import neuroflux.stages.plan.PlannerSettings;
import org.junit.jupiter.api.Test;

/** A verified plan's table and JSON: the prediction at the batch that was measured, beside the measurement. */
class PlanReportTest {
    private static final long MIB = 1L << 20;

    /** Two blocks: the first lowered from 90 to 80 after measuring over, the second measured at its own batch. */
    private static Planning planning() {
        PlannerSettings settings = PlannerSettings.of(200 * MIB, 1, 1_000).withResidentBytes(8 * MIB);
        Block first = new Block(0, 0, List.of("unit0"), 90, 180 * MIB, 10, 1, 0);
        Block second = new Block(1, 2, List.of("unit1", "unit2"), 512, 150 * MIB, 20, 0, 0);
        return new Planning(new Plan(List.of(first, second), settings), 6, 100 * MIB);
    }

    private static List<Planning.VerifiedBlock> verified(Planning p) {
        PeakMeasurement over = PeakMeasurement.measured(190 * MIB, "test", List.of());
        PeakMeasurement lowered = PeakMeasurement.measured(176 * MIB, "test", List.of());
        return List.of(
                new Planning.VerifiedBlock(p.plan().blocks().get(0), 80, lowered, 160 * MIB, List.of(
                        new Planning.Attempt(90, over, 180 * MIB), new Planning.Attempt(80, lowered, 160 * MIB))),
                new Planning.VerifiedBlock(p.plan().blocks().get(1), 512, PeakMeasurement.measured(100 * MIB, "test",
                        List.of()), 110 * MIB));
    }

    @Test
    void theErrorIsThePredictionAgainstTheMeasurementAtTheSameBatch() {
        List<Planning.VerifiedBlock> v = verified(planning());
        assertEquals((160.0 - 176.0) / 176.0, v.get(0).predictionError(), 1e-12);
        assertEquals(0.10, v.get(1).predictionError(), 1e-12);
        assertEquals("-9.1%", PlanReport.error(v.get(0)));
        assertEquals("+10.0%", PlanReport.error(v.get(1)));
        Planning.VerifiedBlock unmeasured = new Planning.VerifiedBlock(v.get(0).planned(), 90,
                PeakMeasurement.unavailable("no probe"), 180 * MIB);
        assertTrue(Double.isNaN(unmeasured.predictionError()));
        assertEquals("-", PlanReport.error(unmeasured));
    }

    @Test
    void theTableShowsBothPredictionsTheMeasurementAndTheError() {
        Planning p = planning();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PlanReport.printTable(p, "measured", verified(p), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("8 MiB held before any block"), table);
        String row = table.lines().filter(l -> l.startsWith("1 ")).findFirst().orElseThrow();
        // planned batch and its prediction, verified batch, the prediction there, the measurement, the error
        assertTrue(row.matches(".*\\b90\\s+180 MiB\\s+80\\s+160 MiB\\s+176 MiB\\s+-9\\.1%.*"), row);
        assertTrue(table.contains("block 1 measured at batch 90 (190 MiB, over, predicted 180 MiB, -5.3%), batch 80"
                + " (176 MiB, within, predicted 160 MiB, -9.1%); trains at batch 80"), table);
        assertTrue(!table.contains("block 2 measured"), "block 2 was measured once: " + table);
    }

    @Test
    void theJsonKeepsThePlannedPredictionAndAddsTheOneAtTheMeasuredBatch() {
        Planning p = planning();
        JsonNode j = Json.parse(Json.write(PlanReport.json(p, "measured", verified(p))), "plan");
        assertEquals(8 * MIB, j.get("resident_bytes").asLong());
        JsonNode b = j.get("blocks").get(0);
        assertEquals(90, b.get("planned_batch_size").asInt());
        assertEquals(80, b.get("batch_size").asInt());
        assertEquals(180 * MIB, b.get("predicted_peak_bytes").asLong());
        assertEquals(160 * MIB, b.get("predicted_peak_at_measured_batch_bytes").asLong());
        assertEquals(176 * MIB, b.get("measured_peak_bytes").asLong());
        assertEquals((160.0 - 176.0) / 176.0, b.get("prediction_error").asDouble(), 1e-12);
        JsonNode first = b.get("measurements").get(0);
        assertEquals(2, b.get("measurements").size());
        assertEquals(90, first.get("batch_size").asInt());
        assertEquals(190 * MIB, first.get("measured_peak_bytes").asLong());
        assertEquals(180 * MIB, first.get("predicted_peak_bytes").asLong());
        assertEquals((180.0 - 190.0) / 190.0, first.get("prediction_error").asDouble(), 1e-12);
        assertEquals(1, j.get("blocks").get(1).get("measurements").size());
    }
}
