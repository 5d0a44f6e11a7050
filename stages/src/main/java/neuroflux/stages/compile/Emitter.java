package neuroflux.stages.compile;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * Appends nodes and constants to a graph under fresh names. Gradient rules and the step compiler write all
 * their ONNX through it, so that names never collide and constants take the element type of the model.
 */
public final class Emitter {
    private final Graph graph;
    private final DataType dtype;
    private final Set<String> used = new HashSet<>();
    private int counter;

    public Emitter(Graph graph, DataType dtype) {
        this.graph = graph;
        this.dtype = dtype;
        used.addAll(graph.initializers().keySet());
        used.addAll(graph.valueInfo().keySet());
        used.addAll(graph.inputNames());
        used.addAll(graph.outputNames());
        for (Node n : graph.nodes()) {
            used.add(n.name());
            used.addAll(n.outputs());
            used.addAll(n.inputs());
        }
    }

    public Graph graph() {
        return graph;
    }

    /** The floating-point type of the model's values: constants and gradients take it. */
    public DataType dtype() {
        return dtype;
    }

    /** A name not used in the graph yet, built from a readable stem. */
    public String fresh(String stem) {
        String candidate = stem;
        while (!used.add(candidate)) candidate = stem + "_" + (counter++);
        return candidate;
    }

    /** Claims a name that must be exactly as given (a graph input or output); fails if it is taken. */
    public String claim(String exact) {
        if (!used.add(exact)) {
            throw new IllegalStateException("the step graph already uses the name '" + exact + "'");
        }
        return exact;
    }

    /** Adds a node with one output named from {@code stem}; chain {@code .with(...)} for attributes. */
    public Node node(String opType, String stem, String... inputs) {
        return nodeN(opType, stem, 1, inputs);
    }

    /** Adds a node with {@code outputs} outputs, each named from {@code stem}. */
    public Node nodeN(String opType, String stem, int outputs, String... inputs) {
        List<String> outs = new java.util.ArrayList<>();
        for (int i = 0; i < outputs; i++) outs.add(fresh(stem));
        Node n = new Node(opType, fresh(opType + "/" + stem), List.of(inputs), outs);
        graph.add(n);
        return n;
    }

    /** Adds a node with the given output names (already claimed or fresh). */
    public Node nodeTo(String opType, List<String> outputs, String... inputs) {
        Node n = new Node(opType, fresh(opType + "/" + outputs.get(0)), List.of(inputs), outputs);
        graph.add(n);
        return n;
    }

    public String op(String opType, String stem, String... inputs) {
        return node(opType, stem, inputs).output(0);
    }

    /** Adds a scalar graph input of the model's type under an exact name (learning rate, momentum, step). */
    public String graphInput(String exact) {
        claim(exact);
        ValueInfo v = new ValueInfo(exact, dtype, new long[0]);
        graph.inputs().add(v);
        graph.valueInfo().put(exact, v);
        return exact;
    }

    /** Records what is known of an emitted value, for later rules that read shapes. */
    public String declare(String name, DataType type, long[] shape) {
        graph.valueInfo().put(name, new ValueInfo(name, type, shape));
        return name;
    }

    public long[] shape(String value) {
        long[] s = graph.shapeOf(value);
        if (s == null) throw new IllegalStateException("the shape of '" + value + "' is not known");
        return s;
    }

    public DataType type(String value) {
        return graph.typeOf(value);
    }

    /** A scalar constant of the model's floating type. */
    public String scalar(double v) {
        return constant("c", dtype == DataType.DOUBLE ? Tensor.ofDoubles(new long[0], v)
                : Tensor.ofFloats(new long[0], (float) v));
    }

    /** A 1-D int64 constant (axes, shapes, pads, indices). */
    public String ints(long... v) {
        return constant("i", Tensor.vector(v));
    }

    public String constant(String stem, Tensor value) {
        String name = fresh("const/" + stem);
        graph.addInitializer(name, value);
        return name;
    }

    /** A floating tensor constant of the model's type from double values. */
    public String floats(long[] shape, double... values) {
        if (dtype == DataType.DOUBLE) return constant("t", Tensor.ofDoubles(shape, values));
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return constant("t", Tensor.ofFloats(shape, f));
    }

    // Small helpers for the operators that gradient rules use everywhere.

    public String add(String a, String b) {
        return op("Add", "add", a, b);
    }

    public String sub(String a, String b) {
        return op("Sub", "sub", a, b);
    }

    public String mul(String a, String b) {
        return op("Mul", "mul", a, b);
    }

    public String neg(String a) {
        return op("Neg", "neg", a);
    }

    /** Cast to another element type. */
    public String cast(String x, DataType to) {
        return node("Cast", "cast", x).with("to", to.code).output(0);
    }

    public String reshape(String x, long... shape) {
        return op("Reshape", "reshape", x, ints(shape));
    }

    public String transpose(String x, long... perm) {
        return node("Transpose", "transpose", x).withInts("perm", perm).output(0);
    }

    /** ReduceSum over the given axes (an input since opset 13). */
    public String reduceSum(String x, long[] axes, boolean keepDims) {
        return node("ReduceSum", "sum", x, ints(axes)).with("keepdims", keepDims ? 1 : 0).output(0);
    }

    /** ReduceMean over the given axes: an attribute before opset 18, an input from it on. */
    public String reduceMean(String x, long[] axes, boolean keepDims) {
        Node n = graph.opsetVersion() >= 18 ? node("ReduceMean", "mean", x, ints(axes))
                : node("ReduceMean", "mean", x).withInts("axes", axes);
        return n.with("keepdims", keepDims ? 1 : 0).output(0);
    }

    /** A tensor of zeros of the model's type, made at run time rather than stored. */
    public String zeros(long[] shape) {
        Tensor zero = dtype == DataType.DOUBLE ? Tensor.ofDoubles(new long[] {1}, 0) : Tensor.ofFloats(new long[] {1}, 0);
        return node("ConstantOfShape", "zeros", ints(shape)).with("value", neuroflux.onnx.Attribute.of(zero)).output(0);
    }

    public String expand(String x, long[] shape) {
        return op("Expand", "expand", x, ints(shape));
    }

    /** Sums of several gradient contributions, in one node. */
    public String sum(List<String> terms) {
        if (terms.size() == 1) return terms.get(0);
        if (terms.size() == 2) return add(terms.get(0), terms.get(1));
        return op("Sum", "sum", terms.toArray(String[]::new));
    }

    /**
     * Sums a gradient of a broadcast result back to the shape of one operand: leading axes the operand lacks
     * are summed away, and axes where it has size 1 are summed keeping them.
     */
    public String reduceTo(String grad, long[] gradShape, long[] target) {
        int lead = gradShape.length - target.length;
        List<Long> axes = new java.util.ArrayList<>();
        for (int i = 0; i < gradShape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && gradShape[i] != 1)) axes.add((long) i);
        }
        String g = grad;
        if (!axes.isEmpty()) {
            g = reduceSum(g, axes.stream().mapToLong(Long::longValue).toArray(), true);
        }
        if (lead > 0 || !axes.isEmpty()) g = reshape(g, target);
        return g;
    }
}
