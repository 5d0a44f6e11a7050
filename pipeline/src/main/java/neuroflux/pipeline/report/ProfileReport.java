package neuroflux.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.plan.MemoryCurve;
import neuroflux.stages.plan.MemoryLine;
import neuroflux.stages.profile.UnitProfiler;

/** The profile of a model's units as a table and as JSON; every memory figure says how it was obtained. */
public final class ProfileReport {
    private ProfileReport() {}

    public static void printTable(UnitProfiler.Profile p, PrintStream out) {
        int b = p.settings().largeBatch();
        out.printf("unit profiles: memory %s at batch %d and the batch sizes in 'measured at', predicted by the static"
                + " plan at 1 and %d; times measured, per sample at batch %d%n",
                p.memoryMeasured() ? "measured" : "not measured (" + p.memoryMethod() + ")", p.settings().smallBatch(),
                p.settings().predictionBatch(), b);
        if (p.settings().bracketBytes() > 0) {
            out.printf("bracketing a usable budget of %s: each unit also measured near the largest batch it can have"
                    + " alone under it%n", Budget.format(p.settings().bracketBytes()));
        }
        Table t = new Table("unit", "exit", "head filters", "head params", "exit params", "measured at",
                "fixed measured", "fixed predicted", "act/sample measured", "act/sample predicted", "held measured",
                "train ms/sample", "cache ms/sample").right(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        for (UnitProfiler.UnitFigures u : p.units()) {
            t.row(u.name(), u.exit(), u.headFilters() == 0 ? "-" : u.headFilters(), String.format("%,d",
                    u.headParameters()), String.format("%,d", u.exitParameters()), batches(u), fixed(u.measured()),
                    Budget.format(u.predicted().fixedBytes()), lastPerSample(u),
                    Budget.format(u.activationBytesPerSample(u.predicted())), held(u),
                    ms(u.trainTime().secondsPerSample(b)), ms(u.cacheTime().secondsPerSample(b)));
        }
        UnitProfiler.BackpropFigures bp = p.backprop();
        t.row("backprop", "whole model", "-", "-", String.format("%,d", bp.parameters()), "-", fixed(bp.measured()),
                Budget.format(bp.predicted().fixedBytes()),
                bp.measured() == null ? "-" : Budget.format(bp.measured().bytesPerSample()),
                Budget.format(bp.predicted().bytesPerSample()), "-", ms(bp.trainTime().secondsPerSample(b)), "-");
        t.print(out);
        out.println("fixed measured: the line through the first two measured peaks at batch 0. act/sample: bytes per"
                + " sample of a step beyond its input batch (backprop: with it), measured between the last two batch"
                + " sizes. held: what the unit's session kept after its steps at the largest measured batch, its"
                + " input batch not included. The planner uses " + (p.memoryMeasured() ? "the measured peaks,"
                + " straight between the measured batch sizes and beyond the last with the larger of the two"
                + " per-sample figures, and the measured held memory" : "the predicted figures") + ".");
        for (String note : p.notes()) out.println("note: " + note);
    }

    private static String batches(UnitProfiler.UnitFigures u) {
        return u.points().isEmpty() ? "-" : String.join(", ", u.measuredBatches().stream().map(String::valueOf)
                .toList());
    }

    private static String lastPerSample(UnitProfiler.UnitFigures u) {
        if (u.points().size() < 2) return "-";
        return Budget.format(Math.max(0, u.plannerPeak().lastSlope() - u.inputBytesPerSample()));
    }

    private static String held(UnitProfiler.UnitFigures u) {
        if (u.points().size() < 2 || u.points().getLast().heldBytes() < 0) return "-";
        return Budget.format(u.plannerHeld().at(u.points().getLast().batch()));
    }

    private static String fixed(MemoryLine measured) {
        return measured == null ? "-" : Budget.format(measured.fixedBytes());
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
    }

    public static ObjectNode json(UnitProfiler.Profile p) {
        ObjectNode root = Json.object();
        root.put("memory_measured", p.memoryMeasured());
        root.put("memory_measure", p.memoryMethod());
        root.put("planner_memory", p.plannerMemorySource());
        root.put("measured_small_batch", p.settings().smallBatch());
        root.put("bracket_bytes", p.settings().bracketBytes());
        root.set("predicted_batches", Json.array(1, p.settings().predictionBatch()));
        root.set("notes", Json.array(p.notes()));
        ArrayNode units = root.putArray("units");
        for (UnitProfiler.UnitFigures u : p.units()) {
            ObjectNode o = units.addObject();
            o.put("unit", u.name());
            o.put("exit", u.exit());
            o.put("head_filters", u.headFilters());
            o.put("head_params", u.headParameters());
            o.put("exit_params", u.exitParameters());
            o.set("measured_batches", Json.array(u.measuredBatches().stream().mapToLong(Integer::longValue).toArray()));
            o.put("input_bytes_per_sample", u.inputBytesPerSample());
            o.put("output_bytes_per_sample", u.outputBytesPerSample());
            o.put("passed_output_bytes_per_sample", u.passedOutputBytesPerSample());
            o.set("predicted", line(u.predicted(), u.activationBytesPerSample(u.predicted())));
            if (u.measured() != null) o.set("measured", line(u.measured(), u.activationBytesPerSample(u.measured())));
            ArrayNode points = o.putArray("measured_points");
            for (UnitProfiler.Point pt : u.points()) {
                ObjectNode q = points.addObject();
                q.put("batch", pt.batch());
                q.put("peak_bytes", pt.peakBytes());
                if (pt.heldBytes() >= 0) q.put("held_bytes", pt.heldBytes());
                else q.putNull("held_bytes");
            }
            ObjectNode planner = o.putObject("planner");
            planner.set("peak", curve(u.plannerPeak()));
            planner.set("held", curve(u.plannerHeld()));
            o.set("train_time", time(u.trainTime()));
            o.set("cache_time", time(u.cacheTime()));
        }
        UnitProfiler.BackpropFigures bp = p.backprop();
        ObjectNode b = root.putObject("backprop");
        b.put("params", bp.parameters());
        b.set("predicted", line(bp.predicted(), bp.predicted().bytesPerSample()));
        if (bp.measured() != null) b.set("measured", line(bp.measured(), bp.measured().bytesPerSample()));
        b.set("train_time", time(bp.trainTime()));
        return root;
    }

    /** A curve as its points and the slope beyond the last. */
    private static ObjectNode curve(MemoryCurve c) {
        ObjectNode o = Json.object();
        ArrayNode points = o.putArray("points");
        for (int i = 0; i < c.batches().length; i++) {
            ObjectNode q = points.addObject();
            q.put("batch", c.batches()[i]);
            q.put("bytes", c.bytes()[i]);
        }
        o.put("bytes_per_sample_beyond", c.slopeBeyond());
        return o;
    }

    private static ObjectNode line(MemoryLine l, long activationPerSample) {
        ObjectNode o = Json.object();
        o.put("fixed_bytes", l.fixedBytes());
        o.put("bytes_per_sample", l.bytesPerSample());
        o.put("activation_bytes_per_sample", activationPerSample);
        return o;
    }

    private static ObjectNode time(neuroflux.stages.plan.StepTime.Linear t) {
        ObjectNode o = Json.object();
        o.put("overhead_s_per_step", t.overheadSecondsPerStep());
        o.put("s_per_sample", t.secondsPerSample());
        return o;
    }
}
