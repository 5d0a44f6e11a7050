package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.stages.models.TrainableParameters;

/**
 * A part of a model from one value to one value: its nodes in execution order (constant nodes it reads included)
 * and the initializers they read. It names values of the graph it was cut from; {@link #toGraph} turns it into a
 * standalone graph that ONNX Runtime can run or a later stage can compile.
 *
 * @param inputName the one non-constant value its nodes read from outside
 * @param outputName the value it computes
 * @param nodes its nodes in execution order, shared with the partition's other segments: do not change them
 * @param initializerNames the initializers its nodes read, in order of first use
 */
public record Segment(String inputName, String outputName, List<Node> nodes, List<String> initializerNames) {
    public Segment {
        nodes = List.copyOf(nodes);
        initializerNames = List.copyOf(initializerNames);
    }

    /** A segment of the given nodes, reading the initializers of {@code graph} that they use. */
    static Segment of(String input, String output, List<Node> nodes, Graph graph) {
        Set<String> inits = new LinkedHashSet<>();
        for (Node n : nodes) for (String in : n.inputs()) if (graph.isInitializer(in)) inits.add(in);
        return new Segment(input, output, nodes, new ArrayList<>(inits));
    }

    /** Consecutive segments run one after another, as one segment; a constant node two of them share is kept once. */
    public static Segment chain(List<Segment> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no segments to chain");
        for (int i = 1; i < parts.size(); i++) {
            if (!parts.get(i).inputName().equals(parts.get(i - 1).outputName())) {
                throw new IllegalArgumentException("segment " + i + " reads '" + parts.get(i).inputName()
                        + "', not the previous segment's output '" + parts.get(i - 1).outputName() + "'");
            }
        }
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> nodes = new ArrayList<>();
        Set<String> inits = new LinkedHashSet<>();
        for (Segment s : parts) {
            for (Node n : s.nodes()) if (seen.add(n)) nodes.add(n);
            inits.addAll(s.initializerNames());
        }
        return new Segment(parts.getFirst().inputName(), parts.getLast().outputName(), nodes, new ArrayList<>(inits));
    }

    /**
     * A standalone graph: input {@link #inputName} and output {@link #outputName} with their types and shapes in
     * {@code model}, these nodes (copied), their initializers from {@code model}, and what {@code model} knows of
     * the shapes of the values computed inside. {@code model} is the graph this segment was cut from, or one with
     * the same nodes and initializers, such as the same model inferred at another batch size.
     */
    public Graph toGraph(Graph model, String name) {
        Graph g = new Graph(name);
        g.opsets().clear();
        g.opsets().putAll(model.opsets());
        for (Node n : nodes) g.add(n.copy());
        for (String init : initializerNames) {
            Tensor t = model.initializers().get(init);
            if (t == null) {
                throw new IllegalArgumentException("graph '" + model.name() + "' has no initializer '" + init
                        + "': it is not the graph this segment was cut from");
            }
            g.addInitializer(init, t);
        }
        g.inputs().add(declared(model, inputName));
        g.outputs().add(declared(model, outputName));
        for (Node n : nodes) {
            for (String out : n.outputs()) {
                ValueInfo v = model.info(out);
                if (v != null) g.valueInfo().put(out, v);
            }
        }
        g.valueInfo().put(inputName, g.inputs().getFirst());
        return g;
    }

    public Graph toGraph(Graph model) {
        return toGraph(model, model.name());
    }

    /** How a boundary value is declared: as {@code model} knows it, else a float tensor of unknown shape. */
    private static ValueInfo declared(Graph model, String value) {
        ValueInfo v = model.info(value);
        if (v != null && v.type() != null) return v;
        DataType type = model.typeOf(value);
        return new ValueInfo(value, type == null ? DataType.FLOAT : type, v == null ? null : v.shape());
    }

    /** The operator of each node that computes on the input, in order; constant plumbing is left out. */
    public List<String> operators() {
        Set<String> data = new HashSet<>();
        data.add(inputName);
        List<String> ops = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().stream().anyMatch(data::contains)) {
                ops.add(n.opType());
                data.addAll(n.outputs());
            }
        }
        return ops;
    }

    /**
     * The number of trainable values its initializers hold, in PyTorch's sense (see {@link TrainableParameters}):
     * an initializer that two segments read counts in each.
     */
    public long parameterCount(Graph model) {
        return TrainableParameters.count(toGraph(model));
    }

    /** The output's shape as {@code model} knows it (batch first), or null before shapes are inferred. */
    public long[] outputShape(Graph model) {
        return model.shapeOf(outputName);
    }
}
