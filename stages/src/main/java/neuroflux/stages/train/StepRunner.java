package neuroflux.stages.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.OrtTensors;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.StepNames;

/**
 * Runs a compiled training step again and again, keeping the carried state (parameters, optimizer state, running
 * statistics) in ONNX Runtime's own tensors: each step's {@code p.next} outputs are the next step's {@code p}
 * inputs, never copied through Java arrays. The result of a step stays open until the following step has run
 * (its tensors are that step's inputs), then it is closed.
 */
public final class StepRunner implements AutoCloseable {
    /** What one step reports: each attachment's loss and number of correct predictions, and the total loss. */
    public record Outcome(double totalLoss, double[] losses, long[] corrects) {}

    private final CompiledStep step;
    private final OrtSession session;
    private final OrtEnvironment env;
    private final Map<String, OnnxTensor> state = new LinkedHashMap<>();
    private final List<OnnxTensor> initialTensors = new ArrayList<>();
    private final Set<String> outputs = new LinkedHashSet<>();
    private final long[] batchShape;
    private final boolean doublePrecision;
    private Result current;
    private long steps;

    public StepRunner(CompiledStep step, RuntimeOptions options) {
        this.step = step;
        this.session = OrtSession.open(step.graph(), options);
        this.env = session.environment();
        this.batchShape = step.graph().shapeOf(step.dataInputs().get(0));
        this.doublePrecision = step.graph().typeOf(step.dataInputs().get(0)) == DataType.DOUBLE;
        try {
            for (String s : step.state()) {
                OnnxTensor t = OrtTensors.toOrt(env, step.initial().get(s));
                initialTensors.add(t);
                state.put(s, t);
            }
        } catch (OrtException e) {
            close();
            throw new IllegalStateException("cannot create the initial state tensors: " + e.getMessage(), e);
        }
        outputs.add(StepNames.TOTAL_LOSS);
        outputs.addAll(step.losses());
        outputs.addAll(step.corrects());
        outputs.addAll(step.next().values());
        outputs.addAll(step.gradients().values());
    }

    public CompiledStep compiled() {
        return step;
    }

    /** The batch size the step was compiled for. */
    public int batchSize() {
        return (int) batchShape[0];
    }

    public long stepsRun() {
        return steps;
    }

    /**
     * Runs one step on a full batch: {@code images} holds batchSize x C x H x W values (a longer array is read
     * only that far), {@code labels} at least batchSize labels, fed to every labels input.
     *
     * @param lr       the learning rate
     * @param momentum SGD's momentum or AdamW's beta1
     */
    public Outcome run(float[] images, long[] labels, double lr, double momentum) {
        int n = batchSize();
        int values = Math.toIntExact(neuroflux.onnx.Shapes.size(batchShape));
        List<OnnxTensor> transient_ = new ArrayList<>();
        Result result;
        try {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>(state);
            OnnxTensor x = doublePrecision ? toDouble(images, values)
                    : OnnxTensor.createTensor(env, FloatBuffer.wrap(images, 0, values), batchShape);
            transient_.add(x);
            feeds.put(step.dataInputs().get(0), x);
            OnnxTensor y = OnnxTensor.createTensor(env, LongBuffer.wrap(labels, 0, n), new long[] {n});
            transient_.add(y);
            for (String l : step.labelInputs()) feeds.put(l, y);
            if (step.takesHyperparameters()) {
                feeds.put(StepNames.LR, scalar(lr, transient_));
                feeds.put(StepNames.MOMENTUM, scalar(momentum, transient_));
                if (step.takesStepCount()) feeds.put(StepNames.STEP, scalar(steps + 1, transient_));
            }
            feeds.keySet().retainAll(session.inputNames());
            result = session.runOrt(feeds, outputs);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create a step's input tensors: " + e.getMessage(), e);
        } finally {
            transient_.forEach(OnnxTensor::close);
        }
        for (var e : step.next().entrySet()) {
            state.put(e.getKey(), (OnnxTensor) result.get(e.getValue()).orElseThrow());
        }
        releasePrevious();
        current = result;
        steps++;
        double[] losses = new double[step.losses().size()];
        long[] corrects = new long[step.corrects().size()];
        for (int i = 0; i < losses.length; i++) losses[i] = scalarOf(result, step.losses().get(i));
        for (int i = 0; i < corrects.length; i++) {
            corrects[i] = (long) ((OnnxTensor) result.get(step.corrects().get(i)).orElseThrow()).getLongBuffer().get(0);
        }
        return new Outcome(scalarOf(result, StepNames.TOTAL_LOSS), losses, corrects);
    }

    /** The gradients the last step output (gradients-only steps), as host tensors. */
    public Map<String, Tensor> gradients() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : step.gradients().entrySet()) {
            m.put(e.getKey(), OrtTensors.fromOrt((OnnxTensor) current.get(e.getValue()).orElseThrow()));
        }
        return m;
    }

    private OnnxTensor toDouble(float[] images, int values) throws OrtException {
        double[] d = new double[values];
        for (int i = 0; i < values; i++) d[i] = images[i];
        return OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(d), batchShape);
    }

    private OnnxTensor scalar(double v, List<OnnxTensor> owned) throws OrtException {
        OnnxTensor t = doublePrecision ? OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(new double[] {v}),
                new long[0]) : OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {(float) v}), new long[0]);
        owned.add(t);
        return t;
    }

    private static double scalarOf(Result r, String name) {
        OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
        return doublePrecisionTensor(t) ? t.getDoubleBuffer().get(0) : t.getFloatBuffer().get(0);
    }

    private static boolean doublePrecisionTensor(OnnxTensor t) {
        return t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE;
    }

    /** The current value of a state tensor (owned by the runner: do not close it). */
    public OnnxTensor stateTensor(String name) {
        OnnxTensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("the step carries no state '" + name + "'");
        return t;
    }

    /** Copies of the current state values (parameters, optimizer state, running statistics). */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        state.forEach((k, v) -> m.put(k, OrtTensors.fromOrt(v)));
        return m;
    }

    /** The current trained parameters and running statistics, by their forward-graph names. */
    public Map<String, Tensor> modelValues() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String p : step.parameters()) m.put(p, OrtTensors.fromOrt(state.get(p)));
        for (String s : step.runningStats()) m.put(s, OrtTensors.fromOrt(state.get(s)));
        return m;
    }

    /** Closes the previous step's result and the initial tensors that no state refers to any more. */
    private void releasePrevious() {
        if (current != null) current.close();
        initialTensors.removeIf(t -> {
            boolean unused = state.values().stream().noneMatch(v -> v == t);
            if (unused) t.close();
            return unused;
        });
    }

    @Override
    public void close() {
        if (current != null) current.close();
        initialTensors.forEach(OnnxValue::close);
        initialTensors.clear();
        current = null;
        state.clear();
        session.close();
    }
}
