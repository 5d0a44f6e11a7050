package neuroflux.pipeline.baselines;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.report.CompressReport;
import neuroflux.pipeline.report.Json;
import neuroflux.pipeline.report.PlanReport;
import neuroflux.stages.block.HeadedNetwork;

/**
 * report.json of a baseline, with the fields compress writes (so that compare reads every method alike): the
 * baseline's training is one pseudo-block of all units, and {@code history} holds its per-epoch test accuracy.
 */
public final class BaselineReport {
    private BaselineReport() {}

    public static ObjectNode report(BaselineTrainer.Result r, CompressPipeline.Settings s) {
        ObjectNode root = Json.object();
        CompressReport.putRunHeader(root, r.method(), r.inputs(), s);
        root.put("usable_bytes", r.usableBytes());
        root.put("memory_measure", r.trainPeak().method() + "; the peak is what the training (the runner's"
                + " whole life; per-epoch evaluation outside the figure where spans can be measured, as compress's"
                + " caching pass is outside its blocks' figures) added to the process at rest (Java heap "
                + PlanReport.heapNote() + "; ONNX Runtime loaded; data set in the Java heap)");
        CompressReport.putPeak(root, "peak_memory_bytes", r.trainPeak());
        root.put("batch_size", r.batch().batch());
        root.put("planned_batch_size", r.batch().planned());
        CompressReport.putTraining(root, s);
        root.put("train_samples", r.inputs().data().train().size());
        HeadedNetwork net = r.inputs().network();
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode block = blocks.addObject();
        block.set("units", Json.array(net.partition().units().stream().map(u -> u.name()).toList()));
        block.put("batch_size", r.batch().batch());
        block.put("planned_batch_size", r.batch().planned());
        block.put("peak_lr", s.learningRates().peakAt(r.batch().batch()));
        block.put("epochs", s.epochs());
        CompressReport.putPeak(block, "measured_peak_bytes", r.trainPeak());
        CompressReport.putPeak(block, "verified_peak_bytes", r.batch().peak());
        block.put("wall_time_s", r.trainSeconds());
        block.set("measure_notes", Json.array(r.trainPeak().notes()));
        CompressReport.putExits(root, r.exits());
        root.put("selected_exit", r.selectedExit().unitName());
        root.put("exit_tolerance_points", s.exitTolerance());
        root.put("final_params", r.selectedExit().params());
        root.put("input_params", net.inputParameters());
        root.put("test_accuracy", r.testAccuracy());
        root.put("wall_time_s", r.wallSeconds());
        // a resumed run's times go on from its last checkpoint; the epoch a stop cut short is not counted
        root.put("resumes", r.resumes());
        putHistory(root, r.history());
        return root;
    }

    /** {@code history}: [{wall_time_s, test_accuracy}], what compare's chart and time-to-target read. */
    public static void putHistory(ObjectNode root, List<HistoryPoint> history) {
        ArrayNode array = root.putArray("history");
        for (HistoryPoint p : history) {
            ObjectNode o = array.addObject();
            o.put("wall_time_s", p.wallSeconds());
            o.put("test_accuracy", p.testAccuracy());
        }
    }

    public static void write(BaselineTrainer.Result r, CompressPipeline.Settings s, Path dir) throws IOException {
        Files.writeString(dir.resolve("report.json"), Json.write(report(r, s)) + "\n");
    }
}
