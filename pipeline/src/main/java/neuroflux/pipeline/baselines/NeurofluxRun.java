package neuroflux.pipeline.baselines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.ExitSelection;
import neuroflux.pipeline.report.CompressReport;
import neuroflux.pipeline.report.Json;

/**
 * {@code train --method neuroflux}: the compress pipeline, its reports, and a {@code history} like the baselines'
 * added to report.json: after each block (its caching pass included, which is when its exits' accuracies are
 * known), the wall time since the run began and the test accuracy of the exit compress would choose among the
 * exits trained so far.
 */
public final class NeurofluxRun {
    private NeurofluxRun() {}

    public static CompressPipeline.Result run(CompressPipeline.Settings s, List<String> arguments, PrintStream out,
                                             PrintStream err) throws Exception {
        CompressPipeline.Result r = new CompressPipeline(s, out, err).withArguments(arguments).run();
        CompressReport.printExitTable(r, out);
        CompressReport.write(r, s, s.out());
        Path report = s.out().resolve("report.json");
        ObjectNode root = (ObjectNode) Json.parse(Files.readString(report), report.toString());
        BaselineReport.putHistory(root, history(r, r.blockDoneSeconds(), s.exitTolerance()));
        Files.writeString(report, Json.write(root) + "\n");
        return r;
    }

    static List<HistoryPoint> history(CompressPipeline.Result r, List<Double> blockDoneSeconds,
                                          double exitTolerance) {
        List<HistoryPoint> history = new ArrayList<>();
        for (int i = 0; i < blockDoneSeconds.size() && i < r.blocks().size(); i++) {
            int lastUnit = r.blocks().get(i).block().lastUnit();
            List<CompressPipeline.ExitResult> sofar = r.exits().stream().filter(e -> e.unit() <= lastUnit).toList();
            if (sofar.isEmpty() || Double.isNaN(blockDoneSeconds.get(i))) continue;
            CompressPipeline.ExitResult chosen = sofar.get(ExitSelection.select(sofar, exitTolerance));
            history.add(new HistoryPoint(blockDoneSeconds.get(i), chosen.testAccuracy()));
        }
        return history;
    }
}
