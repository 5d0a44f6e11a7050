package neuroflux.pipeline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.plan.MemoryLine;
import neuroflux.stages.profile.UnitProfiler;

/** The profile of a model's units as a table and as JSON; every memory figure says how it was obtained. */
public final class ProfileReport {
    private ProfileReport() {}

    public static void printTable(UnitProfiler.Profile p, PrintStream out) {
        int b = p.settings().largeBatch();
        out.printf("unit profiles: memory %s at batch %d and the batch in 'measured at', predicted by the static"
                + " plan at 1 and %d; times measured, per sample at batch %d%n",
                p.memoryMeasured() ? "measured" : "not measured (" + p.memoryMethod() + ")", p.settings().smallBatch(),
                p.settings().predictionBatch(), b);
        Table t = new Table("unit", "exit", "head filters", "head params", "exit params", "measured at",
                "fixed measured", "fixed predicted", "act/sample measured", "act/sample predicted",
                "train ms/sample", "cache ms/sample").right(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        for (UnitProfiler.UnitFigures u : p.units()) {
            t.row(u.name(), u.exit(), u.headFilters() == 0 ? "-" : u.headFilters(), String.format("%,d",
                    u.headParameters()), String.format("%,d", u.exitParameters()), u.measuredBatch(), fixed(u.measured()),
                    Budget.format(u.predicted().fixedBytes()), perSample(u.measured(), u),
                    Budget.format(u.activationBytesPerSample(u.predicted())),
                    ms(u.trainTime().secondsPerSample(b)), ms(u.cacheTime().secondsPerSample(b)));
        }
        UnitProfiler.BackpropFigures bp = p.backprop();
        t.row("backprop", "whole model", "-", "-", String.format("%,d", bp.parameters()), "-", fixed(bp.measured()),
                Budget.format(bp.predicted().fixedBytes()),
                bp.measured() == null ? "-" : Budget.format(bp.measured().bytesPerSample()),
                Budget.format(bp.predicted().bytesPerSample()), ms(bp.trainTime().secondsPerSample(b)), "-");
        t.print(out);
        out.println("act/sample: bytes per sample of a step beyond its input batch (backprop: with it). The planner"
                + " uses " + (p.memoryMeasured() ? "measured fixed bytes and the larger of the two per-sample"
                + " figures" : "the predicted figures") + ".");
        for (String note : p.notes()) out.println("note: " + note);
    }

    private static String fixed(MemoryLine measured) {
        return measured == null ? "-" : Budget.format(measured.fixedBytes());
    }

    private static String perSample(MemoryLine measured, UnitProfiler.UnitFigures u) {
        return measured == null ? "-" : Budget.format(u.activationBytesPerSample(measured));
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
            o.set("measured_batches", Json.array(p.settings().smallBatch(), u.measuredBatch()));
            o.put("input_bytes_per_sample", u.inputBytesPerSample());
            o.put("output_bytes_per_sample", u.outputBytesPerSample());
            o.set("predicted", line(u.predicted(), u.activationBytesPerSample(u.predicted())));
            if (u.measured() != null) o.set("measured", line(u.measured(), u.activationBytesPerSample(u.measured())));
            o.set("planner", line(u.plannerLine(), u.activationBytesPerSample(u.plannerLine())));
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
