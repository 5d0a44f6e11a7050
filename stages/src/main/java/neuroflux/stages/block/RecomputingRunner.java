package neuroflux.stages.block;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Runs {@link RecomputeSteps}: on each batch, the units' training forwards one after another keeping only each
 * unit's input (the boundary activations), the last unit's step with the loss, then the recomputing backwards from
 * the last unit to the first, each freeing its saved input and the gradient it consumed. Alive at once: the
 * boundary activations and one unit's full activations, instead of every unit's.
 *
 * <p>Parameters, optimizer state and running statistics are one set of ONNX Runtime tensors shared by the
 * sessions: a unit's forward and its backward read the same parameter tensors. Sessions run without the CPU
 * arena, as {@link BlockRunner}'s do, and their worker threads do not spin after a run: fifteen short runs of
 * vgg11's sessions per step otherwise ran their kernels on cores that the last session's workers spun on
 * ({@link RuntimeOptions}).
 */
public final class RecomputingRunner implements AutoCloseable {
    /** The loss and the number of correct predictions of the model's classifier on the batch. */
    public record Outcome(double loss, long correct) {}

    private final RecomputeSteps steps;
    private final List<OrtSession> forwards = new ArrayList<>();
    private final List<OrtSession> backwards = new ArrayList<>();
    private OrtSession last;
    private final OrtEnvironment env;
    private final Map<String, OnnxTensor> state = new LinkedHashMap<>();
    private Arena initialState = Arena.ofShared();
    private final long[] batchShape;
    private final FloatBuffer images;
    private final LongBuffer labels;
    private long stepsRun;

    public RecomputingRunner(RecomputeSteps steps, RuntimeOptions options) {
        this(steps, options, Map.of(), 0);
    }

    /**
     * Opens the sessions and continues a training where a checkpoint left it: {@code resumed} (from
     * {@link #state()}) replaces the initial values it names, and the step count, which the schedule and AdamW's
     * bias correction read, starts at {@code stepsRun}.
     */
    public RecomputingRunner(RecomputeSteps steps, RuntimeOptions options, Map<String, Tensor> resumed,
                             long stepsRun) {
        this.steps = steps;
        this.stepsRun = stepsRun;
        NativeMemory.fixMmapThreshold();
        RuntimeOptions perSession = options.withoutCpuArena().withoutSpinning();
        try {
            for (CompiledStep c : steps.forwards()) forwards.add(OrtSession.open(c.graph(), perSession));
            for (CompiledStep c : steps.backwards()) backwards.add(OrtSession.open(c.graph(), perSession));
            last = OrtSession.open(steps.last().graph(), perSession);
            this.env = last.environment();
            List<CompiledStep> all = new ArrayList<>(steps.forwards());
            all.addAll(steps.backwards());
            all.add(steps.last());
            for (CompiledStep c : all) {
                for (String s : c.state()) {
                    if (!state.containsKey(s)) state.put(s, initialTensor(resumed.getOrDefault(s, c.initial().get(s))));
                }
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
        CompiledStep first = steps.forwards().isEmpty() ? steps.last() : steps.forwards().getFirst();
        this.batchShape = first.graph().shapeOf(first.dataInputs().getFirst());
        this.images = ByteBuffer.allocateDirect(4 * Math.toIntExact(neuroflux.onnx.Shapes.size(batchShape)))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        this.labels = ByteBuffer.allocateDirect(8 * steps.batch()).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private OnnxTensor initialTensor(Tensor value) throws OrtException {
        if (value.type() != DataType.FLOAT) return OrtTensors.toOrt(last.environment(), value);
        MemorySegment memory = initialState.allocate(value.byteSize(), 64);
        ByteBuffer bytes = memory.asByteBuffer().order(ByteOrder.nativeOrder());
        bytes.put(value.bytes()).flip();
        return OnnxTensor.createTensor(last.environment(), bytes.asFloatBuffer(), value.shape());
    }

    public int batchSize() {
        return steps.batch();
    }

    public long stepsRun() {
        return stepsRun;
    }

    /** One step of the whole model on a full batch (a longer array is read only as far as one batch). */
    public Outcome run(float[] batchImages, long[] batchLabels, double lr, double momentum) {
        images.clear();
        images.put(batchImages, 0, images.capacity()).flip();
        labels.clear();
        labels.put(batchLabels, 0, labels.capacity()).flip();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> hyper = new HashMap<>();
            hyper.put(StepNames.LR, own(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {(float) lr}),
                    new long[0])));
            hyper.put(StepNames.MOMENTUM, own(owned, OnnxTensor.createTensor(env,
                    FloatBuffer.wrap(new float[] {(float) momentum}), new long[0])));
            hyper.put(StepNames.STEP, own(owned, OnnxTensor.createTensor(env,
                    FloatBuffer.wrap(new float[] {stepsRun + 1}), new long[0])));
            OnnxTensor y = own(owned, OnnxTensor.createTensor(env, labels, new long[] {batchSize()}));
            // forward: keep each unit's input, nothing else
            List<OnnxTensor> boundary = new ArrayList<>();
            boundary.add(own(owned, OnnxTensor.createTensor(env, images, batchShape)));
            int n = steps.units();
            for (int k = 0; k < n - 1; k++) {
                Map<String, OnnxTensor> r = run(forwards.get(k), steps.forwards().get(k), boundary.get(k), null,
                        null, hyper, Set.of(steps.outputs().get(k)));
                boundary.add(r.get(steps.outputs().get(k)));
            }
            // the last unit and the classifier: loss, update, gradient of its input
            CompiledStep c = steps.last();
            Set<String> extra = new LinkedHashSet<>(List.of(c.losses().getFirst(), c.corrects().getFirst()));
            if (n > 1) extra.add(steps.inputGradient(n - 1));
            Map<String, OnnxTensor> r = run(last, c, boundary.get(n - 1), y, null, hyper, extra);
            OnnxTensor lossTensor = r.get(c.losses().getFirst());
            double loss = lossTensor.getFloatBuffer().get(0);
            lossTensor.close();
            OnnxTensor correctTensor = r.get(c.corrects().getFirst());
            long correct = correctTensor.getLongBuffer().get(0);
            correctTensor.close();
            OnnxTensor grad = n > 1 ? r.get(steps.inputGradient(n - 1)) : null;
            if (n > 1) boundary.remove(n - 1).close();
            // backward: recompute each unit from its saved input, from the last to the first
            for (int k = n - 2; k >= 0; k--) {
                Set<String> wanted = k > 0 ? Set.of(steps.inputGradient(k)) : Set.of();
                Map<String, OnnxTensor> b = run(backwards.get(k), steps.backwards().get(k), boundary.get(k), null,
                        grad, hyper, wanted);
                grad.close();
                grad = k > 0 ? b.get(steps.inputGradient(k)) : null;
                if (k > 0) boundary.remove(k).close();
            }
            if (initialState != null) {
                initialState.close(); // every parameter and statistic has been replaced by a step's output
                initialState = null;
            }
            stepsRun++;
            return new Outcome(loss, correct);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create a step's input tensors: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs one compiled piece: feeds the shared state, replaces the state it updates (closing the old tensors),
     * and returns the {@code wanted} outputs, which the caller closes.
     */
    private Map<String, OnnxTensor> run(OrtSession session, CompiledStep c, OnnxTensor x, OnnxTensor y,
                                        OnnxTensor outputGradient, Map<String, OnnxTensor> hyper, Set<String> wanted) {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        for (String s : c.state()) feeds.put(s, state.get(s));
        feeds.put(c.dataInputs().getFirst(), x);
        if (y != null) for (String l : c.labelInputs()) feeds.put(l, y);
        if (outputGradient != null) feeds.put(RecomputeSteps.OUTPUT_GRADIENT, outputGradient);
        for (var h : hyper.entrySet()) if (session.inputNames().contains(h.getKey())) feeds.put(h.getKey(), h.getValue());
        Set<String> outputs = new LinkedHashSet<>(c.next().values());
        outputs.addAll(wanted);
        Result r = session.runOrt(feeds, outputs);
        for (var e : c.next().entrySet()) {
            OnnxTensor updated = (OnnxTensor) r.get(e.getValue()).orElseThrow();
            OnnxTensor old = state.put(e.getKey(), updated);
            if (old != null) old.close();
        }
        Map<String, OnnxTensor> out = new HashMap<>();
        for (String w : wanted) out.put(w, (OnnxTensor) r.get(w).orElseThrow());
        return out;
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
        owned.add(t);
        return t;
    }

    /** Copies of the current parameters and running statistics, by their model names. */
    public Map<String, Tensor> modelValues() {
        Set<String> names = new LinkedHashSet<>();
        List<CompiledStep> all = new ArrayList<>(steps.forwards());
        all.add(steps.last());
        for (CompiledStep c : all) {
            names.addAll(c.parameters());
            names.addAll(c.runningStats());
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String name : names) m.put(name, OrtTensors.fromOrt(state.get(name)));
        return m;
    }

    /** Copies of the carried state (parameters, running statistics, optimizer state): what a checkpoint keeps. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : state.entrySet()) m.put(e.getKey(), OrtTensors.fromOrt(e.getValue()));
        return m;
    }

    @Override
    public void close() {
        state.values().forEach(OnnxValue::close);
        state.clear();
        if (initialState != null) initialState.close();
        initialState = null;
        forwards.forEach(OrtSession::close);
        backwards.forEach(OrtSession::close);
        if (last != null) last.close();
        forwards.clear();
        backwards.clear();
        last = null;
    }
}
