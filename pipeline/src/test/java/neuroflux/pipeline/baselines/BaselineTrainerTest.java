package neuroflux.pipeline.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.TinyCnn;
import neuroflux.pipeline.report.Json;
import neuroflux.stages.cache.CacheDtype;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.profile.UnitProfiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineTrainerTest {
    /** The fields every method's report.json has, which compare reads. */
    static final List<String> REPORT_FIELDS = List.of("method", "input_model", "dataset", "device", "budget_bytes",
            "memory_measure", "peak_memory_bytes", "blocks", "exits", "selected_exit", "final_params",
            "input_params", "test_accuracy", "wall_time_s", "history", "large_buffers_on_huge_pages");

    @TempDir
    static Path dir;
    static Path model;

    static CompressPipeline.Settings settings(Path out, String budget, int epochs) {
        RuntimeOptions runtime = RuntimeOptions.cpu(1);
        Optimizer sgd = new Optimizer.Sgd(0.9, true, 5e-4);
        DataOptions data = DataOptions.defaults().withName("synthetic").withSyntheticSizes(256, 96).withSeed(3)
                .withValidation(64);
        return new CompressPipeline.Settings(model, data, out, Budget.parse(budget), epochs, runtime, "sgd", 0.05,
                5e-4, "onecycle", 0, CacheDtype.FLOAT32, false, 0.5, false, 0.1, 2, 0, 32, 0.1, 3,
                new UnitProfiler.Settings(4, 16, 64, 1, sgd, runtime, 3), null);
    }

    static JsonNode train(String method, Path out, String budget) throws Exception {
        CompressPipeline.Settings s = settings(out, budget, 2);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        BaselineTrainer.Result r = new BaselineTrainer(method, s, 0, quiet).run();
        BaselineReport.write(r, s, out);
        return Json.parse(Files.readString(out.resolve("report.json")), "report");
    }

    @BeforeAll
    static void writeModel() throws Exception {
        model = TinyCnn.write(dir);
    }

    static void assertReport(JsonNode report, String method, Path out) {
        for (String f : REPORT_FIELDS) assertTrue(report.has(f), method + " report lacks " + f);
        assertEquals(method, report.get("method").asText());
        assertEquals(1, report.get("blocks").size(), "one pseudo-block");
        assertEquals(report.get("lr").asDouble(), report.get("blocks").get(0).get("peak_lr").asDouble(), 1e-15,
                "without a reference batch the method's batch peaks at --lr");
        assertEquals(2, report.get("history").size(), "one history point per epoch");
        assertTrue(Files.isRegularFile(out.resolve("model.onnx")));
        double accuracy = report.get("test_accuracy").asDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1);
        JsonNode peak = report.get("peak_memory_bytes");
        if (!peak.isNull()) { // Linux: measured; the whole training stays within the budget
            assertTrue(peak.asLong() <= report.get("budget_bytes").asLong(), method + " peak " + peak.asLong()
                    + " over budget " + report.get("budget_bytes").asLong());
        }
    }

    @Test
    void backpropTrainsTheWholeModelWithinTheBudget() throws Exception {
        Path out = dir.resolve("bp");
        JsonNode r = train("bp", out, "64MiB");
        assertReport(r, "bp", out);
        assertEquals(1, r.get("exits").size(), "bp has only the model's own classifier");
        assertEquals(r.get("input_params").asLong(), r.get("final_params").asLong());
        assertTrue(r.get("batch_size").asInt() >= 1);
    }

    @Test
    void backpropWithRecomputationTrainsTheWholeModelWithinTheBudget() throws Exception {
        Path out = dir.resolve("bp-checkpoint");
        JsonNode r = train("bp-checkpoint", out, "64MiB");
        assertReport(r, "bp-checkpoint", out);
        assertEquals(1, r.get("exits").size(), "only the model's own classifier");
        assertEquals(r.get("input_params").asLong(), r.get("final_params").asLong());
    }

    @Test
    void localLearningTrainsAllUnitsAtOneBatchWithinTheBudget() throws Exception {
        Path out = dir.resolve("ll");
        JsonNode r = train("ll", out, "64MiB");
        assertReport(r, "ll", out);
        assertEquals(3, r.get("exits").size(), "an exit per unit");
        assertEquals(3, r.get("blocks").get(0).get("units").size());
    }
}
