package neuroflux.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import neuroflux.stages.memory.Budget;

/**
 * compare's outputs, from each method's report.json and the throughput of its written model: compare.json,
 * compare.md (one table row per method) and accuracy-vs-time.svg (test accuracy against wall time).
 */
public final class CompareReport {
    /** What compare measured of one method's run besides its report. */
    public record Row(String method, JsonNode report, double samplesPerSecondAt1, double samplesPerSecondAt64) {
        public double testAccuracy() {
            return report.get("test_accuracy").asDouble();
        }

        /** The blocks' batch sizes, in order. */
        public List<Integer> batchSizes() {
            List<Integer> b = new ArrayList<>();
            for (JsonNode block : report.get("blocks")) b.add(block.get("batch_size").asInt());
            return b;
        }

        /** Seconds from the start of the run to the first history point at or above the target, or -1. */
        public double secondsToReach(double target) {
            for (JsonNode p : report.get("history")) {
                if (p.get("test_accuracy").asDouble() >= target - 1e-12) return p.get("wall_time_s").asDouble();
            }
            return -1;
        }

        /** The measured peak, or -1 where nothing was measured. */
        public long peakBytes() {
            JsonNode p = report.get("peak_memory_bytes");
            return p == null || p.isNull() ? -1 : p.asLong();
        }
    }

    private CompareReport() {}

    /** The default target: the lowest final test accuracy among the methods, which every method reached. */
    public static double defaultTarget(List<Row> rows) {
        return rows.stream().mapToDouble(Row::testAccuracy).min().orElse(0);
    }

    public static ObjectNode json(List<Row> rows, java.util.Map<String, String> refused, double target,
                                  boolean targetGiven, long budgetBytes) {
        ObjectNode root = Json.object();
        root.put("budget_bytes", budgetBytes);
        root.put("target_accuracy", target);
        root.put("target_source", targetGiven ? "--target-accuracy" : "the lowest final test accuracy among the"
                + " methods");
        root.put("time_measure", "wall time from the start of each method's run (profiling and verification"
                + " included) to the end of the epoch (neuroflux: the block) whose evaluation first reached the"
                + " target");
        root.put("throughput_measure", "samples/s of the written model in one ONNX Runtime session on the same"
                + " device, random inputs, " + "timed after warm-up runs");
        ArrayNode methods = root.putArray("methods");
        for (Row r : rows) {
            ObjectNode o = methods.addObject();
            o.put("method", r.method());
            ArrayNode batches = o.putArray("batch_sizes");
            r.batchSizes().forEach(batches::add);
            o.put("wall_time_s", r.report().get("wall_time_s").asDouble());
            double reach = r.secondsToReach(target);
            if (reach >= 0) o.put("time_to_target_s", reach);
            else o.putNull("time_to_target_s");
            o.put("test_accuracy", r.testAccuracy());
            if (r.peakBytes() >= 0) o.put("peak_memory_bytes", r.peakBytes());
            else o.putNull("peak_memory_bytes");
            o.put("within_budget", r.peakBytes() >= 0 ? r.peakBytes() <= budgetBytes : null);
            o.put("final_params", r.report().get("final_params").asLong());
            o.put("input_params", r.report().get("input_params").asLong());
            o.put("selected_exit", r.report().get("selected_exit").asText());
            o.put("inference_samples_per_s_batch1", r.samplesPerSecondAt1());
            o.put("inference_samples_per_s_batch64", r.samplesPerSecondAt64());
        }
        ArrayNode notFitting = root.putArray("did_not_fit");
        refused.forEach((method, reason) -> notFitting.addObject().put("method", method).put("reason", reason));
        return root;
    }

    public static String markdown(List<Row> rows, java.util.Map<String, String> refused, double target,
                                  long budgetBytes) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Budget %s; target test accuracy %.2f%%.%n%n", Budget.format(budgetBytes),
                100 * target));
        md.append("| method | batch size(s) | wall time (s) | time to target (s) | test accuracy | measured peak"
                + " / budget | parameters | inference samples/s (batch 1) | (batch 64) |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            double reach = r.secondsToReach(target);
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %.2f%% | %s / %s | %,d | %.0f | %.0f |%n",
                    r.method(), String.join(",", r.batchSizes().stream().map(String::valueOf).toList()),
                    r.report().get("wall_time_s").asDouble(), reach >= 0 ? String.format(Locale.ROOT, "%.1f", reach)
                    : "not reached", 100 * r.testAccuracy(), r.peakBytes() >= 0 ? Budget.format(r.peakBytes())
                    : "not measured", Budget.format(budgetBytes), r.report().get("final_params").asLong(),
                    r.samplesPerSecondAt1(), r.samplesPerSecondAt64()));
        }
        refused.forEach((method, reason) -> md.append(String.format("| %s | does not fit the budget: %s |||||||| %n",
                method, reason)));
        md.append("\nTimes are wall times from the start of each method's run; time to target is read from the"
                + " per-epoch (neuroflux: per-block) evaluations, so it is the end of the first epoch or block at or"
                + " above the target. Peaks are measured (Linux VmHWM) around each method's training.\n");
        return md.toString();
    }

    public static String chart(List<Row> rows) {
        List<SvgChart.Series> series = new ArrayList<>();
        for (Row r : rows) {
            JsonNode h = r.report().get("history");
            double[] x = new double[h.size()];
            double[] y = new double[h.size()];
            for (int i = 0; i < h.size(); i++) {
                x[i] = h.get(i).get("wall_time_s").asDouble();
                y[i] = 100 * h.get(i).get("test_accuracy").asDouble();
            }
            series.add(new SvgChart.Series(r.method(), x, y));
        }
        return SvgChart.lines("Test accuracy against wall time", series, "wall time (s)", "test accuracy (%)");
    }

    public static void write(List<Row> rows, java.util.Map<String, String> refused, double target,
                             boolean targetGiven, long budgetBytes, Path dir) throws IOException {
        Files.writeString(dir.resolve("compare.json"), Json.write(json(rows, refused, target, targetGiven,
                budgetBytes)) + "\n");
        Files.writeString(dir.resolve("compare.md"), markdown(rows, refused, target, budgetBytes));
        Files.writeString(dir.resolve("accuracy-vs-time.svg"), chart(rows));
    }
}
