package neuroflux.pipeline.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.stages.data.DataOptions;

/**
 * The settings that decide a compress run's result, by option name, as text: what a resumed run is compared with.
 * Left out on purpose: --threads (a user may resume on another machine), --keep-cache and the report-only options.
 */
public final class RunSettings {
    private RunSettings() {}

    public static Map<String, String> of(CompressPipeline.Settings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", describeModel(s.model()));
        DataOptions d = s.data();
        m.put("data", d.name());
        m.put("data-dir", String.valueOf(d.dataDir() == null ? null : d.dataDir().toAbsolutePath()));
        m.put("validation", String.valueOf(d.validation()));
        m.put("limit-train", String.valueOf(d.limitTrain()));
        m.put("augment", d.augment() + " pad " + d.cropPad() + " flip " + d.flip());
        m.put("synthetic", d.syntheticTrain() + "/" + d.syntheticTest() + " " + Arrays.toString(d.syntheticShape())
                + " classes " + d.syntheticClasses());
        m.put("budget", String.valueOf(s.budget().bytes()));
        m.put("epochs", String.valueOf(s.epochs()));
        m.put("device", String.valueOf(s.runtime().device()));
        m.put("optimizer", s.optimizer());
        m.put("lr", String.valueOf(s.lr()));
        // only where set: a run stopped before the option existed recorded none, and resumes unchanged
        if (s.lrBatch() != 0) m.put("lr-batch", String.valueOf(s.lrBatch()));
        m.put("weight-decay", String.valueOf(s.weightDecay()));
        m.put("schedule", s.schedule());
        m.put("cache-dtype", String.valueOf(s.cacheDtype()));
        m.put("augment-views", String.valueOf(s.augmentViews()));
        m.put("batch-cap", String.valueOf(s.batchCap()));
        m.put("margin", String.valueOf(s.margin()));
        m.put("seed", String.valueOf(s.seed()));
        m.put("split", String.valueOf(s.split()));
        m.put("exit-tolerance", String.valueOf(s.exitTolerance()));
        m.put("stop-when-flat", s.stopWhenFlat() + " margin " + s.flatMargin() + " blocks " + s.flatBlocks());
        return m;
    }

    /** The model's path and size: a different file under the same name is a different run. */
    private static String describeModel(Path model) {
        if (model == null) return "built in";
        Path p = model.toAbsolutePath().normalize();
        try {
            return p + " (" + Files.size(p) + " bytes)";
        } catch (java.io.IOException e) {
            return p.toString();
        }
    }
}
