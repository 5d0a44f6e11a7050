package neuroflux.stages.partition;

import java.util.Map;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;

/**
 * Checks a partition against its model in ONNX Runtime: each unit, then the classifier, runs as its own session on
 * the previous one's output, and the result is compared with the whole model run in one session.
 */
public final class CompositionCheck {
    private CompositionCheck() {}

    /** The largest absolute difference between the units run one after another and the whole model. */
    public static double maxAbsDifference(Graph model, Partition partition, Tensor input, RuntimeOptions options) {
        Tensor whole = run(model, partition.inputName(), input, options);
        Tensor x = input;
        for (Unit u : partition.units()) x = run(u.toGraph(model), u.inputName(), x, options);
        Tensor chained = run(partition.classifier().toGraph(model), partition.classifier().inputName(), x, options);
        float[] a = whole.floats();
        float[] b = chained.floats();
        if (a.length != b.length) {
            throw new IllegalStateException("the units compute " + b.length + " values, the model " + a.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) return Double.NaN; // a NaN on either side is never agreement
            worst = Math.max(worst, d);
        }
        return worst;
    }

    private static Tensor run(Graph g, String inputName, Tensor input, RuntimeOptions options) {
        try (OrtSession s = OrtSession.open(g, options)) {
            return s.run(Map.of(inputName, input)).get(g.outputs().getFirst().name());
        }
    }
}
