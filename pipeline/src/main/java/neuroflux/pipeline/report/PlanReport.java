package neuroflux.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import neuroflux.pipeline.Planning;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.memory.HeapState;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.plan.Block;
import neuroflux.stages.plan.PlannerSettings;

/** A plan as the table a user sees before training, and as JSON. Peaks say whether predicted or measured. */
public final class PlanReport {
    private PlanReport() {}

    /**
     * The table; {@code measured} (may be null) holds each block's verification: the batch it trains at (lowered
     * where the measured peak at the planned batch exceeded the usable budget), the prediction at that batch, the
     * peak measured there, and the prediction's error against the measurement.
     */
    public static void printTable(Planning p, String memorySource, List<Planning.VerifiedBlock> measured,
                                  PrintStream out) {
        PlannerSettings s = p.plan().settings();
        out.printf(Locale.ROOT, "plan for a budget of %s (usable %s after a %.0f%% margin; smallest budget that works"
                + " %s): %d blocks; planner memory figures %s%n", Budget.format(s.budgetBytes()),
                Budget.format(s.usableBytes()), s.margin() * 100, Budget.format(p.smallestBudgetBytes()),
                p.plan().blocks().size(), memorySource);
        if (s.residentBytes() > 0) {
            out.printf("predicted peaks include %s held before any block (the runtime and what profiling left"
                    + " resident)%n", Budget.format(s.residentBytes()));
        }
        Table t = measured == null
                ? new Table("block", "units", "batch", "predicted peak", "predicted train s", "predicted cache s")
                        .right(2, 3, 4, 5)
                : new Table("block", "units", "batch", "predicted peak", "verified batch", "predicted there",
                        "measured peak", "error", "predicted train s", "predicted cache s")
                        .right(2, 3, 4, 5, 6, 7, 8, 9);
        for (int i = 0; i < p.plan().blocks().size(); i++) {
            Block b = p.plan().blocks().get(i);
            String train = String.format(Locale.ROOT, "%.1f", b.predictedTrainSeconds());
            String cache = String.format(Locale.ROOT, "%.1f", b.predictedCacheSeconds());
            if (measured == null) t.row(i + 1, units(b), b.batch(), Budget.format(b.predictedPeakBytes()), train, cache);
            else {
                Planning.VerifiedBlock v = measured.get(i);
                t.row(i + 1, units(b), b.batch(), Budget.format(b.predictedPeakBytes()), v.batch(),
                        Budget.format(v.predictedPeakBytes()), describe(v.peak()), error(v), train, cache);
            }
        }
        t.print(out);
        if (measured != null) {
            for (int i = 0; i < measured.size(); i++) {
                Planning.VerifiedBlock v = measured.get(i);
                if (v.attempts().size() < 2) continue;
                StringBuilder line = new StringBuilder("block " + (i + 1) + " measured at");
                String sep = " ";
                for (Planning.Attempt a : v.attempts()) {
                    String fit = a.peak().available() && a.peak().bytes() > s.usableBytes() ? "over" : "within";
                    line.append(String.format(Locale.ROOT, "%sbatch %d (%s, %s, predicted %s, %s)", sep, a.batch(),
                            describe(a.peak()), fit, Budget.format(a.predictedPeakBytes()),
                            error(a.predictionError())));
                    sep = ", ";
                }
                out.println(line.append("; trains at batch ").append(v.batch()));
            }
        }
        out.printf(Locale.ROOT, "end-to-end backprop under the same budget: %s; predicted time of all blocks %.1f s"
                + " for %d epoch(s) of %,d samples%n", p.backpropBatch() == 0 ? "does not fit even at batch 1"
                : "batch " + p.backpropBatch(), p.plan().predictedSeconds(), s.epochs(), s.trainSamples());
    }

    static String units(Block b) {
        return b.units().size() == 1 ? b.units().getFirst() : b.units().getFirst() + ".." + b.units().getLast();
    }

    /** The prediction's error against the measurement at the same batch, signed: + predicted above measured. */
    static String error(Planning.VerifiedBlock v) {
        return error(v.predictionError());
    }

    private static String error(double e) {
        return Double.isNaN(e) ? "-" : String.format(Locale.ROOT, "%+.1f%%", e * 100);
    }

    private static String describe(PeakMeasurement m) {
        return m.available() ? Budget.format(m.bytes()) : "not measured";
    }

    public static ObjectNode json(Planning p, String memorySource, List<Planning.VerifiedBlock> measured) {
        PlannerSettings s = p.plan().settings();
        ObjectNode root = Json.object();
        root.put("budget_bytes", s.budgetBytes());
        root.put("usable_bytes", s.usableBytes());
        root.put("margin", s.margin());
        root.put("batch_cap", s.batchCap());
        root.put("resident_bytes", s.residentBytes());
        root.put("min_budget_bytes", p.smallestBudgetBytes());
        root.put("bp_batch_size", p.backpropBatch());
        root.put("planner_memory", memorySource);
        root.put("epochs", s.epochs());
        root.put("train_samples", s.trainSamples());
        root.put("predicted_time_s", p.plan().predictedSeconds());
        if (measured != null) {
            root.put("memory_measure", measured.isEmpty() ? "" : measured.getFirst().peak().method());
            root.put("java_heap", heapNote());
        }
        ArrayNode blocks = root.putArray("blocks");
        for (int i = 0; i < p.plan().blocks().size(); i++) {
            Block b = p.plan().blocks().get(i);
            ObjectNode o = blocks.addObject();
            o.set("units", Json.array(b.units()));
            o.put("batch_size", measured == null ? b.batch() : measured.get(i).batch());
            o.put("planned_batch_size", b.batch());
            o.put("predicted_peak_bytes", b.predictedPeakBytes());
            o.put("predicted_train_s", b.predictedTrainSeconds());
            o.put("predicted_cache_s", b.predictedCacheSeconds());
            if (measured != null) {
                PeakMeasurement m = measured.get(i).peak();
                o.put("predicted_peak_at_measured_batch_bytes", measured.get(i).predictedPeakBytes());
                if (m.available()) o.put("measured_peak_bytes", m.bytes());
                else o.putNull("measured_peak_bytes");
                putError(o, measured.get(i).predictionError());
                ArrayNode attempts = o.putArray("measurements"); // every batch measured, the planned one first
                for (Planning.Attempt a : measured.get(i).attempts()) {
                    ObjectNode x = attempts.addObject();
                    x.put("batch_size", a.batch());
                    x.put("predicted_peak_bytes", a.predictedPeakBytes());
                    if (a.peak().available()) x.put("measured_peak_bytes", a.peak().bytes());
                    else x.putNull("measured_peak_bytes");
                    putError(x, a.predictionError());
                }
                o.set("measure_notes", Json.array(m.notes()));
            }
        }
        return root;
    }

    private static void putError(ObjectNode o, double e) {
        if (Double.isNaN(e)) o.putNull("prediction_error");
        else o.put("prediction_error", e);
    }

    /** The Java heap's state, which says whether heap growth can be in a measured figure. */
    public static String heapNote() {
        HeapState h = HeapState.current();
        return h.pinned() ? "pinned: committed " + Budget.format(h.committedBytes()) + " = -Xmx, pre-touched; heap"
                + " growth is not in the measured figures" : h.advice();
    }
}
