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
     * where the measured peak at the planned batch exceeded the usable budget) and the peak measured there.
     */
    public static void printTable(Planning p, String memorySource, List<Planning.VerifiedBlock> measured,
                                  PrintStream out) {
        PlannerSettings s = p.plan().settings();
        out.printf(Locale.ROOT, "plan for a budget of %s (usable %s after a %.0f%% margin; smallest budget that works"
                + " %s): %d blocks; planner memory figures %s%n", Budget.format(s.budgetBytes()),
                Budget.format(s.usableBytes()), s.margin() * 100, Budget.format(p.smallestBudgetBytes()),
                p.plan().blocks().size(), memorySource);
        Table t = measured == null
                ? new Table("block", "units", "batch", "predicted peak", "predicted train s", "predicted cache s")
                        .right(2, 3, 4, 5)
                : new Table("block", "units", "batch", "predicted peak", "verified batch", "measured peak",
                        "predicted train s", "predicted cache s").right(2, 3, 4, 5, 6, 7);
        for (int i = 0; i < p.plan().blocks().size(); i++) {
            Block b = p.plan().blocks().get(i);
            String train = String.format(Locale.ROOT, "%.1f", b.predictedTrainSeconds());
            String cache = String.format(Locale.ROOT, "%.1f", b.predictedCacheSeconds());
            if (measured == null) t.row(i + 1, units(b), b.batch(), Budget.format(b.predictedPeakBytes()), train, cache);
            else t.row(i + 1, units(b), b.batch(), Budget.format(b.predictedPeakBytes()), measured.get(i).batch(),
                    describe(measured.get(i).peak()), train, cache);
        }
        t.print(out);
        out.printf(Locale.ROOT, "end-to-end backprop under the same budget: %s; predicted time of all blocks %.1f s"
                + " for %d epoch(s) of %,d samples%n", p.backpropBatch() == 0 ? "does not fit even at batch 1"
                : "batch " + p.backpropBatch(), p.plan().predictedSeconds(), s.epochs(), s.trainSamples());
    }

    static String units(Block b) {
        return b.units().size() == 1 ? b.units().getFirst() : b.units().getFirst() + ".." + b.units().getLast();
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
                if (m.available()) o.put("measured_peak_bytes", m.bytes());
                else o.putNull("measured_peak_bytes");
                o.set("measure_notes", Json.array(m.notes()));
            }
        }
        return root;
    }

    /** The Java heap's state, which says whether heap growth can be in a measured figure. */
    public static String heapNote() {
        HeapState h = HeapState.current();
        return h.pinned() ? "pinned: committed " + Budget.format(h.committedBytes()) + " = -Xmx, pre-touched; heap"
                + " growth is not in the measured figures" : h.advice();
    }
}
