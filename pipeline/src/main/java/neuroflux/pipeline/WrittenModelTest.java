package neuroflux.pipeline;

import java.util.Map;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.data.Dataset;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;

/**
 * The written model run as a user would: read back from its file, checked by the importer, in a fresh ONNX
 * Runtime session, on the original test set. Its accuracy is the run's {@code test_accuracy}.
 */
public final class WrittenModelTest {
    /** The accuracy and each test sample's predicted class. */
    public record Outcome(double accuracy, int[] predictions) {}

    private WrittenModelTest() {}

    public static Outcome run(java.nio.file.Path modelFile, Dataset test, int batch, RuntimeOptions runtime) {
        ImportedModel model = ModelImporter.load(modelFile);
        int[] predictions = new int[test.size()];
        long correct = 0;
        int at = 0;
        try (OrtSession session = OrtSession.open(model.graph(), runtime)) {
            for (Batch b : BatchLoader.evaluation(test, batch).epoch(0)) {
                long[] shape = b.shape();
                float[] x = java.util.Arrays.copyOf(b.images(), Math.toIntExact(Shapes.size(shape)));
                Tensor logits = session.run(Map.of(model.inputName(), Tensor.ofFloats(shape, x)))
                        .get(model.outputName());
                float[] v = logits.floats();
                int classes = v.length / b.size();
                for (int i = 0; i < b.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) if (v[i * classes + c] > v[i * classes + best]) best = c;
                    predictions[at + i] = best;
                    if (best == b.labels()[i]) correct++;
                }
                at += b.size();
            }
        }
        return new Outcome((double) correct / test.size(), predictions);
    }

    /** The share of samples on which two prediction lists agree. */
    public static double agreement(int[] a, int[] b) {
        if (a.length != b.length || a.length == 0) return 0;
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }
}
