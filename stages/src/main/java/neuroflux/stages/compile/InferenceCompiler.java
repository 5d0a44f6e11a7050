package neuroflux.stages.compile;

import java.util.Collection;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * Compiles a forward graph for evaluation while training: BatchNormalization in inference form (running
 * statistics), Dropout as identity, and the named initializers (parameters, running statistics) turned into
 * inputs, so that a trainer feeds the values it holds without rebuilding the graph. The batch dimension stays as
 * the forward graph has it (symbolic, so the last partial batch runs too).
 */
public final class InferenceCompiler {
    private InferenceCompiler() {}

    public static Graph compile(Graph forward, Collection<String> stateInputs) {
        Graph g = forward.copy();
        g.setName(forward.name() + "-inference");
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization") && n.domain().isEmpty()) {
                n.attributes().remove("training_mode");
                while (n.outputs().size() > 1) n.outputs().removeLast();
            }
        }
        for (String name : stateInputs) {
            Tensor t = g.initializers().remove(name);
            if (t == null) throw new BadInputException("'" + name + "' is not an initializer of the model");
            g.inputs().add(new ValueInfo(name, t.type(), t.shape()));
        }
        return g;
    }

    /** The forward graph with new values for some of its initializers (the trained ones), BN in inference form. */
    public static Graph withValues(Graph forward, java.util.Map<String, Tensor> values) {
        Graph g = forward.copy();
        for (var e : values.entrySet()) {
            Tensor old = g.initializers().get(e.getKey());
            if (old == null) continue;
            if (!java.util.Arrays.equals(old.shape(), e.getValue().shape())) {
                throw new IllegalStateException("'" + e.getKey() + "' changed shape in training");
            }
            g.addInitializer(e.getKey(), e.getValue());
        }
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization") && n.domain().isEmpty()) {
                n.attributes().remove("training_mode");
                while (n.outputs().size() > 1) n.outputs().removeLast();
            }
        }
        return g;
    }
}
