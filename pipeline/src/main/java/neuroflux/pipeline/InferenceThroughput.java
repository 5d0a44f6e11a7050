package neuroflux.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;

/**
 * Inference throughput of a written model, measured: the file read back, one session, random inputs at a batch
 * size, a few warm-up runs (ONNX Runtime plans its memory and the JIT compiles on the first ones), then runs timed
 * until both a minimum count and a minimum time are reached.
 */
public final class InferenceThroughput {
    static final int WARM_UP_RUNS = 3;
    static final int MIN_TIMED_RUNS = 10;
    static final double MIN_TIMED_SECONDS = 0.5;

    private InferenceThroughput() {}

    /** Samples per second of the model at {@code batch}. */
    public static double samplesPerSecond(Path modelFile, int batch, RuntimeOptions runtime) {
        ImportedModel model = ModelImporter.load(modelFile);
        long[] sample = model.sampleShape();
        long[] shape = new long[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        float[] values = new float[Math.toIntExact(Shapes.size(shape))];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextDouble();
        try (OrtSession session = OrtSession.open(model.graph(), runtime);
             OnnxTensor x = OnnxTensor.createTensor(session.environment(), FloatBuffer.wrap(values), shape)) {
            Map<String, OnnxTensor> feeds = Map.of(model.inputName(), x);
            Set<String> outputs = Set.of(model.outputName());
            for (int i = 0; i < WARM_UP_RUNS; i++) session.runOrt(feeds, outputs).close();
            long start = System.nanoTime();
            int runs = 0;
            while (runs < MIN_TIMED_RUNS || System.nanoTime() - start < MIN_TIMED_SECONDS * 1e9) {
                session.runOrt(feeds, outputs).close();
                runs++;
            }
            return (double) runs * batch / ((System.nanoTime() - start) / 1e9);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create the input tensor: " + e.getMessage(), e);
        }
    }
}
