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
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.OrtTensors;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.compile.CompiledStep;
import neuroflux.stages.compile.StepNames;
import neuroflux.stages.memory.NativeHeap;

/**
 * Trains the units of a block one after another on each batch: unit k's step (forward, its exit's loss, backward,
 * update) runs, its output activation, an ONNX Runtime tensor never copied through Java, becomes unit k+1's input,
 * and unit k's output is freed as soon as unit k+1 has run. So only one unit's activations are alive at a time,
 * while every unit's parameters and optimizer state stay resident as ONNX Runtime tensors (each step's
 * {@code p.next} is the next step's {@code p}).
 *
 * <p>After each unit's step the C heap's free memory goes back to the kernel ({@link NativeHeap#trim}): glibc keeps
 * the small buffers a step frees, and the next unit, whose buffers have other sizes, does not reuse all of them, so
 * without the trim the block's resident level climbs unit by unit above what any profile of a unit alone saw.
 * Measured on mobilenet_v2's units 14-18 as one block at batch 94 ({@code plan --split 14,5 --batch-cap 94
 * --verify}): 118.6 MB measured against 105.8 MB predicted without the trim, 110.4 against 104.8 with it; each trim
 * returned 1.0 to 4.6 MB and took 0.6 to 2.1 ms, against steps of a tenth of a second and more.
 *
 * <p>Sessions are opened without ONNX Runtime's CPU arena: with it, each unit's session would keep the memory of
 * its own largest run, and the block would hold the sum of its units' activations instead of the largest. The
 * batch and labels are written into direct buffers allocated once, so that steps allocate no Java-side memory
 * that only the garbage collector would free.
 */
public final class BlockRunner implements AutoCloseable {
    /** Each unit's loss and number of correct predictions of its exit on the batch. */
    public record Outcome(double[] losses, long[] corrects) {}

    private final List<UnitSession> units = new ArrayList<>();
    private final OrtEnvironment env;
    private final long[] batchShape;
    private final FloatBuffer images;
    private final LongBuffer labels;
    private final FloatBuffer lr = directFloats(1);
    private final FloatBuffer momentum = directFloats(1);
    private final FloatBuffer stepCount = directFloats(1);
    private long steps;

    /** Opens one session per unit step; the steps must be consecutive units compiled at one batch size. */
    public BlockRunner(List<UnitStep> steps, RuntimeOptions options) {
        this(steps, options, Map.of(), 0);
    }

    /**
     * Opens the sessions and continues a block's training where a checkpoint left it: {@code state} (from
     * {@link #state()}) replaces the steps' initial values it names, and the step count, which the schedule and
     * AdamW's bias correction read, starts at {@code stepsRun}.
     */
    public BlockRunner(List<UnitStep> steps, RuntimeOptions options, Map<String, Tensor> state, long stepsRun) {
        if (steps.isEmpty()) throw new IllegalArgumentException("a block has at least one unit");
        NativeMemory.fixMmapThreshold();
        RuntimeOptions noArena = options.withoutCpuArena();
        this.steps = stepsRun;
        try {
            for (UnitStep s : steps) units.add(new UnitSession(s, noArena, state));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.env = units.getFirst().session.environment();
        UnitStep first = steps.getFirst();
        this.batchShape = first.compiled().graph().shapeOf(first.input());
        this.images = directFloats(Math.toIntExact(Shapes.size(batchShape)));
        this.labels = ByteBuffer.allocateDirect(8 * first.batch()).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    public int batchSize() {
        return (int) batchShape[0];
    }

    public int unitCount() {
        return units.size();
    }

    public long stepsRun() {
        return steps;
    }

    /**
     * One step of every unit on a full batch: {@code images} holds batchSize x C x H x W values of the block's
     * input (a longer array is read only that far), {@code labels} at least batchSize labels.
     */
    public Outcome run(float[] batchImages, long[] batchLabels, double learningRate, double momentumValue) {
        images.clear();
        images.put(batchImages, 0, images.capacity()).flip();
        labels.clear();
        labels.put(batchLabels, 0, labels.capacity()).flip();
        lr.put(0, (float) learningRate);
        momentum.put(0, (float) momentumValue);
        stepCount.put(0, steps + 1);
        double[] losses = new double[units.size()];
        long[] corrects = new long[units.size()];
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            OnnxTensor y = OnnxTensor.createTensor(env, labels, new long[] {batchSize()});
            owned.add(y);
            OnnxTensor x = OnnxTensor.createTensor(env, images, batchShape);
            Map<String, OnnxTensor> hyper = new HashMap<>();
            owned.add(put(hyper, StepNames.LR, OnnxTensor.createTensor(env, lr, new long[0])));
            owned.add(put(hyper, StepNames.MOMENTUM, OnnxTensor.createTensor(env, momentum, new long[0])));
            owned.add(put(hyper, StepNames.STEP, OnnxTensor.createTensor(env, stepCount, new long[0])));
            for (int i = 0; i < units.size(); i++) {
                OnnxTensor next = units.get(i).run(x, y, hyper, losses, corrects, i);
                x.close();
                x = next;
                NativeHeap.trim(); // see the class comment
            }
            if (x != null) x.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create a step's input tensors: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
        steps++;
        return new Outcome(losses, corrects);
    }

    private static OnnxTensor put(Map<String, OnnxTensor> m, String name, OnnxTensor t) {
        m.put(name, t);
        return t;
    }

    /** Copies of the current parameters and running statistics of every unit, by their model names. */
    public Map<String, Tensor> modelValues() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (UnitSession u : units) {
            CompiledStep c = u.step.compiled();
            for (String p : c.parameters()) m.put(p, OrtTensors.fromOrt(u.state.get(p)));
            for (String s : c.runningStats()) m.put(s, OrtTensors.fromOrt(u.state.get(s)));
        }
        return m;
    }

    /**
     * Copies of every unit's carried state (parameters, running statistics, optimizer state), what a checkpoint
     * needs to continue the block; the units' state names are distinct within a model.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (UnitSession u : units) {
            for (var e : u.state.entrySet()) {
                if (m.put(e.getKey(), OrtTensors.fromOrt(e.getValue())) != null) {
                    throw new IllegalStateException("two units of the block carry the state '" + e.getKey() + "'");
                }
            }
        }
        return m;
    }

    @Override
    public void close() {
        for (UnitSession u : units) u.close();
        units.clear();
    }

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * One unit's session and its state; each value a step returns is closed on its own when no longer needed. The
     * initial state lives in native memory of an arena that is freed as soon as the first step has replaced it:
     * a direct buffer would stay until the garbage collector happened to free it, a whole extra copy of the state.
     */
    private static final class UnitSession {
        final UnitStep step;
        final OrtSession session;
        final Map<String, OnnxTensor> state = new LinkedHashMap<>();
        final Set<String> outputs = new LinkedHashSet<>();
        Arena initialState = Arena.ofShared();

        UnitSession(UnitStep step, RuntimeOptions options, Map<String, Tensor> resumed) {
            this.step = step;
            CompiledStep c = step.compiled();
            if (c.graph().typeOf(step.input()) != DataType.FLOAT) {
                throw new IllegalArgumentException("unit " + step.unit() + " does not train in float32");
            }
            this.session = OrtSession.open(c.graph(), options);
            try {
                for (String s : c.state()) state.put(s, initialTensor(resumed.getOrDefault(s, c.initial().get(s))));
            } catch (OrtException e) {
                close();
                throw new IllegalStateException("cannot create the initial state tensors: " + e.getMessage(), e);
            }
            outputs.addAll(c.losses());
            outputs.addAll(c.corrects());
            outputs.addAll(c.next().values());
            if (step.unitOutput() != null) outputs.add(step.unitOutput());
        }

        private OnnxTensor initialTensor(Tensor value) throws OrtException {
            if (value.type() != DataType.FLOAT) return OrtTensors.toOrt(session.environment(), value);
            MemorySegment memory = initialState.allocate(value.byteSize(), 64);
            ByteBuffer bytes = memory.asByteBuffer().order(ByteOrder.nativeOrder());
            bytes.put(value.bytes()).flip();
            return OnnxTensor.createTensor(session.environment(), bytes.asFloatBuffer(), value.shape());
        }

        /** Runs the step on input x; returns the unit's output (the caller closes it), or null where not passed. */
        OnnxTensor run(OnnxTensor x, OnnxTensor y, Map<String, OnnxTensor> hyper, double[] losses, long[] corrects,
                       int i) {
            CompiledStep c = step.compiled();
            Map<String, OnnxTensor> feeds = new HashMap<>(state);
            feeds.put(step.input(), x);
            feeds.put(step.labels(), y);
            for (var h : hyper.entrySet()) if (session.inputNames().contains(h.getKey())) feeds.put(h.getKey(), h.getValue());
            Result r = session.runOrt(feeds, outputs);
            UnitRuns.record(step.unit());
            for (var e : c.next().entrySet()) {
                OnnxTensor updated = (OnnxTensor) r.get(e.getValue()).orElseThrow();
                OnnxTensor old = state.put(e.getKey(), updated);
                if (old != null) old.close();
            }
            if (initialState != null) {
                initialState.close(); // every state value was replaced by the step's new one
                initialState = null;
            }
            OnnxTensor loss = (OnnxTensor) r.get(c.losses().getFirst()).orElseThrow();
            losses[i] = loss.getFloatBuffer().get(0);
            loss.close();
            OnnxTensor correct = (OnnxTensor) r.get(c.corrects().getFirst()).orElseThrow();
            corrects[i] = correct.getLongBuffer().get(0);
            correct.close();
            return step.unitOutput() == null ? null : (OnnxTensor) r.get(step.unitOutput()).orElseThrow();
        }

        void close() {
            state.values().forEach(OnnxValue::close);
            state.clear();
            if (initialState != null) initialState.close();
            initialState = null;
            if (session != null) session.close();
        }
    }
}
