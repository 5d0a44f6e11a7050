package neuroflux.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.report.CompressReport;
import neuroflux.pipeline.report.Json;
import neuroflux.stages.cache.CacheDtype;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.plan.BudgetTooSmallException;
import neuroflux.stages.profile.UnitProfiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressPipelineTest {
    @TempDir
    static Path dir;
    static Path model;
    /** One run shared by the tests that only read its outcome: three blocks of one unit each. */
    static CompressPipeline.Result run;
    static CompressPipeline.Settings runSettings;

    static CompressPipeline.Settings settings(Path out, String budget, List<Integer> split, long seed) {
        RuntimeOptions runtime = RuntimeOptions.cpu(1);
        Optimizer sgd = new Optimizer.Sgd(0.9, true, 5e-4);
        DataOptions data = DataOptions.defaults().withName("synthetic").withSyntheticSizes(256, 96).withSeed(seed)
                .withValidation(64);
        return new CompressPipeline.Settings(model, data, out, Budget.parse(budget), 2, runtime, "sgd", 0.05, 5e-4,
                "onecycle", 0, CacheDtype.FLOAT32, false, 0.5, false, 0.1, 2, 0, 32, 0.1, seed,
                new UnitProfiler.Settings(4, 16, 64, 1, sgd, runtime, seed), split);
    }

    static CompressPipeline.Result compress(CompressPipeline.Settings s) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        CompressPipeline.Result r = new CompressPipeline(s, quiet, quiet).run();
        CompressReport.write(r, s, s.out());
        return r;
    }

    @BeforeAll
    static void runOnce() throws Exception {
        model = TinyCnn.write(dir);
        runSettings = settings(dir.resolve("run"), "64MiB", List.of(1, 1, 1), 3);
        run = compress(runSettings);
    }

    @Test
    void laterBlocksReadTheCacheInsteadOfRunningEarlierUnits() {
        assertEquals(3, run.blocks().size());
        for (int b = 0; b < run.blocks().size(); b++) {
            long[] runs = run.blocks().get(b).unitRuns();
            int first = run.blocks().get(b).block().firstUnit();
            for (int k = 0; k < first; k++) assertEquals(0, runs[k], "block " + b + " ran unit " + k);
            assertTrue(runs[first] > 0, "block " + b + " never ran its own unit");
        }
    }

    @Test
    void theWrittenModelPredictsWhatItsExitDidInTraining() {
        assertEquals(1.0, run.predictionAgreement(), 1e-9);
        assertEquals(run.selectedExit().testAccuracy(), run.testAccuracy(), 1e-9);
    }

    @Test
    void everyBlocksMeasuredPeakIsWithinTheBudget() {
        for (CompressPipeline.BlockResult b : run.blocks()) {
            if (!b.trainPeak().available()) continue; // not Linux: nothing measured, nothing to compare
            assertTrue(b.trainPeak().bytes() <= runSettings.budget().bytes(), b.trainPeak().describe());
        }
    }

    @Test
    void theSelectedExitIsTheSmallestWithinTheTolerance() {
        double best = run.exits().stream().mapToDouble(CompressPipeline.ExitResult::valAccuracy).max().orElseThrow();
        CompressPipeline.ExitResult chosen = run.selectedExit();
        assertTrue(chosen.valAccuracy() >= best - 0.005 - 1e-12);
        for (CompressPipeline.ExitResult e : run.exits()) {
            if (e.valAccuracy() >= best - 0.005 - 1e-12) assertTrue(chosen.params() <= e.params());
        }
    }

    @Test
    void reportsHaveTheirFields() throws Exception {
        Path out = runSettings.out();
        for (String f : List.of("model.onnx", "report.json", "metrics.json", "memory.svg", "exits.svg")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve("cache")), "the cache is deleted without --keep-cache");
        JsonNode report = Json.parse(Files.readString(out.resolve("report.json")), "report.json");
        for (String field : List.of("method", "input_model", "dataset", "device", "budget_bytes", "memory_measure",
                "peak_memory_bytes", "blocks", "exits", "selected_exit", "final_params", "input_params",
                "test_accuracy", "cache_bytes", "wall_time_s", "bp_batch_size", "large_buffers_on_huge_pages")) {
            assertTrue(report.has(field), "report.json lacks " + field);
        }
        assertEquals("neuroflux", report.get("method").asText());
        for (JsonNode b : report.get("blocks")) {
            for (String field : List.of("units", "batch_size", "epochs", "measured_peak_bytes",
                    "predicted_peak_bytes", "predicted_peak_at_batch_bytes", "wall_time_s")) {
                assertTrue(b.has(field), "a block lacks " + field);
            }
            assertTrue(b.get("predicted_peak_at_batch_bytes").asLong() <= b.get("predicted_peak_bytes").asLong(),
                    "trained at the planned batch or a lower one");
            assertEquals(report.get("lr").asDouble(), b.get("peak_lr").asDouble(), 1e-15,
                    "without --lr-batch every block peaks at --lr");
        }
        for (JsonNode e : report.get("exits")) {
            for (String field : List.of("unit", "params", "val_accuracy", "test_accuracy")) {
                assertTrue(e.has(field), "an exit lacks " + field);
            }
        }
        assertTrue(report.get("cache_bytes").asLong() > 0);
        JsonNode metrics = Json.parse(Files.readString(out.resolve("metrics.json")), "metrics.json");
        for (String field : List.of("test_accuracy", "final_params", "peak_memory_bytes", "wall_time_s")) {
            assertTrue(metrics.has(field), "metrics.json lacks " + field);
        }
        assertTrue(Files.readString(out.resolve("memory.svg")).contains("budget"));
    }

    @Test
    void aRerunWithTheSameSeedGivesTheSameModel() throws Exception {
        CompressPipeline.Result again = compress(settings(dir.resolve("again"), "64MiB", List.of(1, 1, 1), 3));
        assertEquals(run.exits().size(), again.exits().size());
        for (int i = 0; i < run.exits().size(); i++) {
            assertEquals(run.exits().get(i).valAccuracy(), again.exits().get(i).valAccuracy());
            assertArrayEquals(run.exits().get(i).testPredictions(), again.exits().get(i).testPredictions());
        }
        assertEquals(run.testAccuracy(), again.testAccuracy());
        assertArrayEquals(Files.readAllBytes(runSettings.out().resolve("model.onnx")),
                Files.readAllBytes(dir.resolve("again").resolve("model.onnx")));
    }

    @Test
    void stopWhenFlatSkipsTheRemainingBlocksAndSaysWhatThatSaves() throws Exception {
        CompressPipeline.Settings base = settings(dir.resolve("flat"), "64MiB", List.of(1, 1, 1), 3);
        // a margin of 100 points: no block can improve on the first, so the run stops after one flat block
        CompressPipeline.Settings s = new CompressPipeline.Settings(base.model(), base.data(), base.out(),
                base.budget(), base.epochs(), base.runtime(), base.optimizer(), base.lr(), base.weightDecay(),
                base.schedule(), base.lrBatch(), base.cacheDtype(), base.keepCache(), base.exitTolerance(), true, 100, 1,
                base.augmentViews(), base.batchCap(), base.margin(), base.seed(), base.profile(), base.split());
        CompressPipeline.Result r = compress(s);
        assertEquals(2, r.blocks().size());
        assertEquals(1, r.skippedBlocks());
        assertEquals(2, r.exits().size());
        assertTrue(r.skippedPredictedSeconds() > 0);
    }

    @Test
    void augmentedViewsAreCachedForLaterBlocks() throws Exception {
        CompressPipeline.Settings base = settings(dir.resolve("views"), "64MiB", List.of(1, 2), 3);
        CompressPipeline.Settings s = new CompressPipeline.Settings(base.model(), base.data().withAugment(true),
                base.out(), base.budget(), 1, base.runtime(), base.optimizer(), base.lr(), base.weightDecay(),
                base.schedule(), base.lrBatch(), base.cacheDtype(), true, base.exitTolerance(), false, 0.1, 2, 2, base.batchCap(),
                base.margin(), base.seed(), base.profile(), base.split());
        CompressPipeline.Result r = compress(s);
        Path cache = s.out().resolve("cache");
        assertTrue(Files.isRegularFile(cache.resolve("block1-train-view0.cache")));
        assertTrue(Files.isRegularFile(cache.resolve("block1-train-view1.cache")));
        assertFalse(Files.exists(cache.resolve("block2-train-view0.cache")), "the last block writes no cache");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(cache.resolve("block1-train-view0.cache")),
                Files.readAllBytes(cache.resolve("block1-train-view1.cache"))), "two views are two augmentations");
        assertEquals(3, r.exits().size());
    }

    @Test
    void aBudgetNoPlanMeetsIsRefusedBeforeTraining() {
        Path out = dir.resolve("too-small");
        // below the parameters and momentum of the largest unit (about 5 KB), the floor no measurement undercuts:
        // 16 KiB was accepted in one CI run, where these tiny units' measured peaks were within the probe's noise
        BudgetTooSmallException e = assertThrows(BudgetTooSmallException.class,
                () -> compress(settings(out, "1KiB", null, 3)));
        assertTrue(e.smallestBudgetBytes() > 1024);
        assertTrue(e.getMessage().contains("smallest budget"), e.getMessage());
        assertFalse(Files.exists(out.resolve("blocks")), "no block was trained");
    }

    /** A run stopped before --lr-batch existed recorded no such setting; without the option it is the same run. */
    @Test
    void theReferenceBatchIsASettingOnlyWhereGiven(@TempDir Path dir) {
        CompressPipeline.Settings base = settings(dir, "64MiB", null, 0);
        assertFalse(neuroflux.pipeline.checkpoint.RunSettings.of(base).containsKey("lr-batch"));
        CompressPipeline.Settings scaled = new CompressPipeline.Settings(base.model(), base.data(), base.out(),
                base.budget(), base.epochs(), base.runtime(), base.optimizer(), base.lr(), base.weightDecay(),
                base.schedule(), 128, base.cacheDtype(), base.keepCache(), base.exitTolerance(), base.stopWhenFlat(),
                base.flatMargin(), base.flatBlocks(), base.augmentViews(), base.batchCap(), base.margin(), base.seed(),
                base.profile(), base.split());
        assertEquals("128", neuroflux.pipeline.checkpoint.RunSettings.of(scaled).get("lr-batch"));
    }
}
