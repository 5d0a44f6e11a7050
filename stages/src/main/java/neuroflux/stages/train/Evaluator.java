package neuroflux.stages.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.InferenceCompiler;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.data.Dataset;

/**
 * Measures accuracy with an inference graph (batch normalisation on running statistics) whose parameters and
 * running statistics are inputs, fed straight from a {@link StepRunner}'s current state tensors.
 */
public final class Evaluator implements AutoCloseable {
    private final OrtSession session;
    private final String input;
    private final String output;
    private final List<String> stateInputs;

    /**
     * @param forward     the forward graph with a symbolic (or any) batch dimension
     * @param stateInputs the initializers the runner holds newer values of
     */
    public Evaluator(Graph forward, String input, String output, List<String> stateInputs, RuntimeOptions options) {
        Graph g = InferenceCompiler.compile(forward, stateInputs);
        g.outputs().removeIf(o -> !o.name().equals(output));
        // any batch size, so that the last partial batch of a data set runs too
        for (int i = 0; i < g.inputs().size(); i++) {
            var v = g.inputs().get(i);
            if (v.name().equals(input) && v.shape() != null) {
                g.inputs().set(i, v.withShape(neuroflux.onnx.Shapes.withBatch(v.shape(), -1)));
            }
        }
        g.outputs().replaceAll(o -> o.shape() == null ? o : o.withShape(neuroflux.onnx.Shapes.withBatch(o.shape(), -1)));
        this.session = OrtSession.open(g, options);
        this.input = input;
        this.output = output;
        this.stateInputs = List.copyOf(stateInputs);
    }

    /** The fraction of samples whose largest logit is their label. */
    public double accuracy(Dataset data, int batchSize, StepRunner runner) {
        long correct = 0;
        BatchLoader loader = BatchLoader.evaluation(data, batchSize);
        for (Batch b : loader.epoch(0)) {
            float[] logits = logits(b, runner);
            int classes = logits.length / b.size();
            for (int i = 0; i < b.size(); i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
                if (best == b.labels()[i]) correct++;
            }
        }
        return (double) correct / data.size();
    }

    private float[] logits(Batch b, StepRunner runner) {
        long[] shape = b.shape();
        int values = Math.toIntExact(neuroflux.onnx.Shapes.size(shape));
        try (OnnxTensor x = OnnxTensor.createTensor(session.environment(), FloatBuffer.wrap(b.images(), 0, values),
                shape)) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            feeds.put(input, x);
            for (String s : stateInputs) feeds.put(s, runner.stateTensor(s));
            try (Result r = session.runOrt(feeds, Set.of(output))) {
                FloatBuffer fb = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create an evaluation input: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
