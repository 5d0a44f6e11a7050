package neuroflux.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.Inputs;
import neuroflux.stages.block.NativeMemory;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.plan.Block;

/**
 * What compress leaves for a user: the exit table on stdout, and in the output folder report.json (everything),
 * metrics.json (the headline figures), memory.svg (measured peak per block against the budget, predicted beside
 * it) and exits.svg (accuracy against parameters per exit).
 */
public final class CompressReport {
    public static final String METHOD = "neuroflux";

    private CompressReport() {}

    public static void printExitTable(CompressPipeline.Result r, PrintStream out) {
        Table t = new Table("exit", "after", "params", "val accuracy", "test accuracy", "").right(2, 3, 4);
        for (int i = 0; i < r.exits().size(); i++) {
            CompressPipeline.ExitResult e = r.exits().get(i);
            t.row(e.exit(), e.unitName(), String.format("%,d", e.params()), pct(e.valAccuracy()),
                    pct(e.testAccuracy()), i == r.selected() ? "<- selected" : "");
        }
        t.print(out);
        CompressPipeline.ExitResult s = r.selectedExit();
        out.printf(Locale.ROOT, "selected %s after %s: %,d parameters (%.1f%% of the input model's %,d); written"
                + " model's test accuracy %s (fresh session); largest measured block peak %s of a %s budget;"
                + " wall time %.1f s%n", s.exit(), s.unitName(), s.params(), 100.0 * s.params() / inputParams(r),
                inputParams(r), pct(r.testAccuracy()), peak(r) < 0 ? "not measured" : Budget.format(peak(r)),
                Budget.format(r.planning().plan().settings().budgetBytes()), r.wallSeconds());
    }

    private static long inputParams(CompressPipeline.Result r) {
        return r.inputs().network().inputParameters();
    }

    /** The largest measured training peak of any block, or -1 where none was measured. */
    public static long peak(CompressPipeline.Result r) {
        long peak = -1;
        for (CompressPipeline.BlockResult b : r.blocks()) {
            if (b.trainPeak().available()) peak = Math.max(peak, b.trainPeak().bytes());
        }
        return peak;
    }

    private static String pct(double accuracy) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * accuracy);
    }

    /**
     * The fields every method's report opens with, so that {@code compare} reads a baseline's and compress's
     * reports alike: the method, what it trained on, where and with how many threads, whether large buffers were
     * on huge pages, and the budget.
     */
    public static void putRunHeader(ObjectNode root, String method, Inputs inputs,
                                    CompressPipeline.Settings s) {
        root.put("method", method);
        root.put("input_model", inputs.modelName());
        root.put("dataset", inputs.data().name());
        root.put("device", s.runtime().device().toString());
        root.put("threads", s.runtime().threads());
        root.put("large_buffers_on_huge_pages", NativeMemory.largeBuffersOnHugePages());
        root.put("budget_bytes", s.budget().bytes());
    }

    public static ObjectNode report(CompressPipeline.Result r, CompressPipeline.Settings s) {
        ObjectNode root = Json.object();
        putRunHeader(root, METHOD, r.inputs(), s);
        root.put("usable_bytes", r.planning().plan().settings().usableBytes());
        root.put("min_budget_bytes", r.planning().smallestBudgetBytes());
        root.put("bp_batch_size", r.planning().backpropBatch());
        root.put("memory_measure", r.memoryMeasure() + "; peaks count from the process at rest before the first"
                + " block, so memory an earlier block kept is in a later block's figure (Java heap " + PlanReport.heapNote() + "; ONNX Runtime loaded; data set in the Java heap);"
                + " pages of the memory-mapped cache are left out of the figures and dropped after each batch read");
        long peak = peak(r);
        if (peak >= 0) root.put("peak_memory_bytes", peak);
        else root.putNull("peak_memory_bytes");
        root.put("planner_memory", r.profile().plannerMemorySource());
        putTraining(root, s);
        root.put("augment_views", s.augmentViews());
        root.put("cache_dtype", s.cacheDtype().toString());
        root.put("train_samples", r.inputs().data().train().size());
        ArrayNode blocks = root.putArray("blocks");
        for (int i = 0; i < r.blocks().size(); i++) {
            CompressPipeline.BlockResult b = r.blocks().get(i);
            ObjectNode o = blocks.addObject();
            Block p = b.block();
            o.set("units", Json.array(p.units()));
            o.put("batch_size", p.batch());
            o.put("planned_batch_size", r.plannedBatches().get(i));
            o.put("peak_lr", s.learningRates().peakAt(p.batch()));
            o.put("epochs", b.epochs());
            putPeak(o, "measured_peak_bytes", b.trainPeak());
            o.put("predicted_peak_bytes", p.predictedPeakBytes()); // at the planned batch size
            o.put("predicted_peak_at_batch_bytes", predictedAtBatch(r, p)); // at the batch it trained at
            putPeak(o, "measured_cache_peak_bytes", b.cachePeak());
            o.put("wall_time_s", b.wallSeconds());
            o.put("predicted_time_s", p.predictedSeconds());
            o.put("train_loss", b.lastLoss());
            o.put("train_accuracy", b.lastTrainAccuracy());
            o.put("samples_per_s", b.samplesPerSecond());
            o.set("measure_notes", Json.array(b.trainPeak().notes()));
        }
        putExits(root, r.exits());
        root.put("selected_exit", r.selectedExit().unitName());
        root.put("exit_tolerance_points", s.exitTolerance());
        root.put("final_params", r.selectedExit().params());
        root.put("input_params", inputParams(r));
        root.put("test_accuracy", r.testAccuracy());
        root.put("test_accuracy_measured_by", "the written model.onnx in a fresh ONNX Runtime session on the test set");
        root.put("exit_prediction_agreement", r.predictionAgreement());
        root.put("cache_bytes", r.cacheBytes());
        root.put("cache_kept", r.cacheKept());
        root.put("skipped_blocks", r.skippedBlocks());
        root.put("skipped_predicted_time_s", r.skippedPredictedSeconds());
        root.put("wall_time_s", r.wallSeconds());
        root.put("resumes", r.resumes());
        return root;
    }

    /** A measured peak in bytes, or null where it could not be measured: never a figure that was not measured. */
    public static void putPeak(ObjectNode o, String field, PeakMeasurement m) {
        if (m != null && m.available()) o.put(field, m.bytes());
        else o.putNull(field);
    }

    /** {@code exits}: every exit's unit, parameters and accuracies, the same for every method's report. */
    public static void putExits(ObjectNode root, List<CompressPipeline.ExitResult> exits) {
        ArrayNode array = root.putArray("exits");
        for (CompressPipeline.ExitResult e : exits) {
            ObjectNode o = array.addObject();
            o.put("unit", e.unitName());
            o.put("exit", e.exit());
            o.put("params", e.params());
            o.put("val_accuracy", e.valAccuracy());
            o.put("test_accuracy", e.testAccuracy());
        }
    }

    /** The training settings every method's report carries, so that a comparison can show they were the same. */
    public static void putTraining(ObjectNode root, CompressPipeline.Settings s) {
        root.put("epochs", s.epochs());
        root.put("optimizer", s.optimizer());
        root.put("lr", s.lr());
        root.put("lr_reference_batch", s.lrBatch());
        root.put("weight_decay", s.weightDecay());
        root.put("schedule", s.schedule());
        root.put("seed", s.seed());
        root.put("augment", s.data().augment());
    }

    public static ObjectNode metrics(CompressPipeline.Result r, CompressPipeline.Settings s) {
        ObjectNode m = Json.object();
        m.put("method", METHOD);
        m.put("test_accuracy", r.testAccuracy());
        m.put("final_params", r.selectedExit().params());
        m.put("input_params", inputParams(r));
        long peak = peak(r);
        if (peak >= 0) m.put("peak_memory_bytes", peak);
        else m.putNull("peak_memory_bytes");
        m.put("budget_bytes", s.budget().bytes());
        m.put("wall_time_s", r.wallSeconds());
        return m;
    }

    /** Writes report.json, metrics.json, memory.svg and exits.svg into the output folder. */
    public static void write(CompressPipeline.Result r, CompressPipeline.Settings s, Path dir) throws IOException {
        Files.writeString(dir.resolve("report.json"), Json.write(report(r, s)) + "\n");
        Files.writeString(dir.resolve("metrics.json"), Json.write(metrics(r, s)) + "\n");
        Files.writeString(dir.resolve("memory.svg"), memoryChart(r, s));
        Files.writeString(dir.resolve("exits.svg"), exitChart(r));
    }

    /**
     * The planner's prediction for a block at the batch it trained at (lowered from the planned one where its
     * verification measured over the budget): what its measured peak is compared with.
     */
    static long predictedAtBatch(CompressPipeline.Result r, neuroflux.stages.plan.Block b) {
        return new neuroflux.stages.plan.BlockPlanner(r.planning().plan().settings()).peakAt(
                r.profile().plannerProfiles(), b.firstUnit(), b.lastUnit(), b.batch());
    }

    static String memoryChart(CompressPipeline.Result r, CompressPipeline.Settings s) {
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < r.blocks().size(); i++) {
            CompressPipeline.BlockResult b = r.blocks().get(i);
            labels.add("b" + (i + 1) + " measured");
            values.add(b.trainPeak().available() ? b.trainPeak().bytes() / 1048576.0 : 0);
            labels.add("b" + (i + 1) + " predicted");
            values.add(predictedAtBatch(r, b.block()) / 1048576.0);
        }
        return SvgChart.bars("peak memory per block at its batch: measured (VmHWM) and predicted (plan)", labels,
                values.stream().mapToDouble(Double::doubleValue).toArray(), "MiB", s.budget().bytes() / 1048576.0,
                "budget");
    }

    static String exitChart(CompressPipeline.Result r) {
        int n = r.exits().size();
        double[] params = new double[n];
        double[] val = new double[n];
        double[] test = new double[n];
        for (int i = 0; i < n; i++) {
            CompressPipeline.ExitResult e = r.exits().get(i);
            params[i] = e.params() / 1e6;
            val[i] = 100 * e.valAccuracy();
            test[i] = 100 * e.testAccuracy();
        }
        return SvgChart.lines("accuracy per exit against its parameters (selected: " + r.selectedExit().unitName()
                + ")", List.of(new SvgChart.Series("validation", params, val), new SvgChart.Series("test", params,
                test)), "parameters of prefix and exit (millions)", "accuracy (%)");
    }
}
