package neuroflux.stages.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * Compiles a forward graph, its losses and an optimizer into one ONNX graph that runs a whole training step:
 * forward in training mode, losses, backward, and the optimizer update (or the gradients), with every piece of
 * carried state an input and its new value an output (see {@link StepNames}).
 */
public final class StepCompiler {
    private StepCompiler() {}

    public static CompiledStep compile(StepSpec spec) {
        return compile(spec, Rounding.NATIVE);
    }

    /** Compiles with a chosen rounding of the float32 forward ({@link Rounding#PYTORCH_CPU} to match PyTorch). */
    public static CompiledStep compile(StepSpec spec, Rounding rounding) {
        Graph g = spec.forward().copy();
        g.setName(g.name() + "-step");
        ValueShapes.ensure(g);
        g.sortTopologically();
        List<ValueInfo> forwardOutputs = new ArrayList<>(g.outputs());
        g.outputs().clear();
        List<String> parameters = parameters(g, spec.trainable());
        List<String> dataInputs = g.inputNames();
        for (LossAttachment a : spec.losses()) {
            long[] s = g.shapeOf(a.logits());
            if (s == null) throw new BadInputException("loss attachment: no value '" + a.logits() + "' in the graph");
            if (s.length != 2) {
                throw new BadInputException("loss attachment: logits '" + a.logits() + "' have shape "
                        + neuroflux.onnx.Shapes.format(s) + ", expected batch x classes");
            }
        }

        Set<String> wrt = new LinkedHashSet<>(parameters);
        wrt.addAll(spec.inputGradients());
        List<String> seeds = new ArrayList<>(spec.losses().stream().map(LossAttachment::logits).toList());
        seeds.addAll(spec.seededGradients().keySet());
        Differentiator d = new Differentiator(g, wrt, spec.detached(), seeds, true).rounding(rounding);
        Emitter e = d.emitter();
        DataType dtype = e.dtype();
        d.rewriteForward();

        List<String> labelInputs = new ArrayList<>();
        List<String> losses = new ArrayList<>();
        List<String> corrects = new ArrayList<>();
        List<String> lossValues = new ArrayList<>();
        for (int i = 0; i < spec.losses().size(); i++) {
            LossAttachment a = spec.losses().get(i);
            long[] s = g.shapeOf(a.logits());
            if (!labelInputs.contains(a.labels())) {
                if (g.inputNames().contains(a.labels())) {
                    throw new BadInputException("labels input '" + a.labels() + "' is already a forward input");
                }
                labelInputs.add(a.labels());
                e.claim(a.labels());
                ValueInfo v = new ValueInfo(a.labels(), DataType.INT64, new long[] {s[0]});
                g.inputs().add(v);
                g.valueInfo().put(a.labels(), v);
            }
            SoftmaxCrossEntropy.Emitted loss = SoftmaxCrossEntropy.emit(e, a.logits(), a.labels(), s);
            lossValues.add(loss.loss());
            d.addGrad(a.logits(), loss.logitsGrad());
            losses.add(output(g, e, StepNames.loss(i), loss.loss(), dtype, new long[0]));
            corrects.add(output(g, e, StepNames.correct(i), loss.correct(), DataType.INT64, new long[0]));
        }
        if (!lossValues.isEmpty()) output(g, e, StepNames.TOTAL_LOSS, e.sum(lossValues), dtype, new long[0]);
        for (var seeded : spec.seededGradients().entrySet()) {
            long[] shape = g.shapeOf(seeded.getKey());
            if (shape == null) {
                throw new BadInputException("seeded gradient: no value '" + seeded.getKey() + "' in the graph");
            }
            String input = e.claim(seeded.getValue());
            ValueInfo v = new ValueInfo(input, dtype, shape);
            g.inputs().add(v);
            g.valueInfo().put(input, v);
            d.addGrad(seeded.getKey(), input);
        }

        List<String> wanted = new ArrayList<>(parameters);
        wanted.addAll(spec.inputGradients());
        Map<String, String> grads = spec.hasBackward() ? d.backward(wanted) : Map.of();
        Map<String, String> inputGradOutputs = new LinkedHashMap<>();
        for (String x : spec.inputGradients()) {
            String grad = grads.get(x);
            long[] shape = g.shapeOf(x);
            if (grad == null) grad = e.zeros(shape);
            inputGradOutputs.put(x, output(g, e, StepNames.grad(x), grad, dtype, shape));
        }
        Map<String, Tensor> initial = new LinkedHashMap<>();
        List<String> state = new ArrayList<>();
        Map<String, String> next = new LinkedHashMap<>();
        Map<String, String> gradOutputs = new LinkedHashMap<>();
        for (String p : parameters) {
            initial.put(p, g.initializers().remove(p));
            state.add(p);
            addInput(g, p, initial.get(p));
        }
        if (!spec.hasBackward()) {
            // a training forward: parameters are inputs (shared with the step that updates them), nothing updated
        } else if (spec.optimizer() instanceof Optimizer.GradientsOnly) {
            for (String p : parameters) {
                String grad = grads.get(p);
                if (grad == null) grad = e.zeros(initial.get(p).shape());
                gradOutputs.put(p, output(g, e, StepNames.grad(p), grad, dtype, initial.get(p).shape()));
            }
        } else {
            OptimizerUpdate update = new OptimizerUpdate(e, spec.optimizer());
            for (String p : parameters) {
                Tensor value = initial.get(p);
                Map<String, String> stateNames = new LinkedHashMap<>();
                for (String suffix : spec.optimizer().stateSuffixes()) {
                    String s = e.claim(StepNames.state(p, suffix));
                    Tensor zero = Tensor.zeros(value.type(), value.shape());
                    initial.put(s, zero);
                    addInput(g, s, zero);
                    stateNames.put(suffix, s);
                    state.add(s);
                }
                Map<String, String> updated = update.emit(p, grads.get(p), stateNames);
                for (var u : updated.entrySet()) {
                    next.put(u.getKey(), output(g, e, StepNames.next(u.getKey()), u.getValue(), value.type(),
                            value.shape()));
                }
            }
        }
        List<String> runningStats = new ArrayList<>();
        for (var u : spec.updateStatistics() ? d.stateUpdates().entrySet()
                : Map.<String, String>of().entrySet()) {
            String stat = u.getKey();
            Tensor value = g.initializers().remove(stat);
            if (value == null) {
                throw new BadInputException("running statistic '" + stat + "' is not an initializer of the model");
            }
            initial.put(stat, value);
            addInput(g, stat, value);
            runningStats.add(stat);
            state.add(stat);
            next.put(stat, output(g, e, StepNames.next(stat), u.getValue(), value.type(), value.shape()));
        }
        if (!spec.hasBackward()) g.outputs().addAll(forwardOutputs); // a training forward keeps what it computes
        g.removeUnusedNodes();
        gradOutputs.putAll(inputGradOutputs);
        return new CompiledStep(g, dataInputs, labelInputs, parameters, state, next, runningStats, losses, corrects,
                gradOutputs, initial, spec.optimizer());
    }

    /** The trainable initializers, in initializer order; names that are not floating initializers are refused. */
    static List<String> parameters(Graph g, Set<String> trainable) {
        for (String t : trainable) {
            Tensor v = g.initializers().get(t);
            if (v == null) {
                throw new BadInputException("trainable parameter '" + t + "' is not an initializer of the model"
                        + " (an initializer shared through an Identity node must be untied first)");
            }
            if (!v.type().isFloating()) {
                throw new BadInputException("trainable parameter '" + t + "' is of type " + v.type());
            }
        }
        return g.initializers().keySet().stream().filter(trainable::contains).toList();
    }

    private static void addInput(Graph g, String name, Tensor value) {
        ValueInfo v = new ValueInfo(name, value.type(), value.shape());
        g.inputs().add(v);
        g.valueInfo().put(name, v);
    }

    /** Exposes a value as a graph output under an exact name (an Identity where the name differs). */
    static String output(Graph g, Emitter e, String name, String value, DataType type, long[] shape) {
        e.claim(name);
        e.nodeTo("Identity", List.of(name), value);
        ValueInfo v = new ValueInfo(name, type, shape);
        g.outputs().add(v);
        g.valueInfo().put(name, v);
        return name;
    }

    /** The nodes of a graph by operator, for reports and tests. */
    public static Map<String, Integer> operatorCounts(Graph g) {
        Map<String, Integer> m = new java.util.TreeMap<>();
        for (Node n : g.nodes()) m.merge(n.opType(), 1, Integer::sum);
        return m;
    }
}
