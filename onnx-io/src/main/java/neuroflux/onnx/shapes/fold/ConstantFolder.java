package neuroflux.onnx.shapes.fold;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/**
 * Folds the shape arithmetic that exporters leave for run time (Shape, Gather, Unsqueeze, Concat, Cast, Div...)
 * into initializers once the shapes are known. A node is folded when its operator can be evaluated here and its
 * inputs are constants of the kind shape arithmetic uses: small integer or boolean tensors, scalars, or values
 * this folder computed; Shape needs only its input's shape, and Constant nodes always fold. Float tensors that
 * are not scalars (parameters, say) are never treated as foldable, so a graph's weights stay where they are.
 */
public final class ConstantFolder {
    /** The largest tensor, in elements, that folding reads or writes: shape arithmetic is tiny. */
    public static final long MAX_ELEMENTS = 4096;
    /**
     * The most element operations one graph's folding may take. Each fold is small, but a node may have
     * thousands of inputs and a graph thousands of nodes; past this budget nodes stay in the graph unfolded.
     * Real shape arithmetic takes a few thousand.
     */
    public static final long MAX_WORK = 1L << 24;

    private static final Map<String, ConstantOp> OPS = new HashMap<>();

    static {
        OPS.put("Constant", new ConstantFold());
        OPS.put("Shape", new ShapeFold());
        ConstantOp sameData = new SameDataFold();
        for (String op : new String[] {"Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze"}) OPS.put(op, sameData);
        OPS.put("Cast", new CastFold());
        OPS.put("Gather", new GatherFold());
        OPS.put("Slice", new SliceFold());
        OPS.put("Concat", new ConcatFold());
        OPS.put("Add", new AddFold());
        OPS.put("Sum", new AddFold());
        OPS.put("Sub", new SubFold());
        OPS.put("Mul", new MulFold());
        OPS.put("Div", new DivFold());
        OPS.put("Max", new MaxFold());
        OPS.put("Min", new MinFold());
        OPS.put("Neg", new NegFold());
        OPS.put("Equal", new EqualFold());
        OPS.put("Greater", new GreaterFold());
        OPS.put("Less", new LessFold());
        OPS.put("Where", new WhereFold());
        OPS.put("Expand", new ExpandFold());
        OPS.put("ConstantOfShape", new ConstantOfShapeFold());
        OPS.put("Range", new RangeFold());
    }

    private final Graph graph;
    private final Map<String, Tensor> folded = new LinkedHashMap<>();
    private final Set<String> graphOutputs;
    private long work;

    public ConstantFolder(Graph graph) {
        this.graph = graph;
        this.graphOutputs = new HashSet<>(graph.outputNames());
    }

    /** The values this folder has turned into initializers so far, with their values, in folding order. */
    public Map<String, Tensor> folded() {
        return folded;
    }

    /**
     * Folds the node if it qualifies: its outputs become initializers (the caller drops the node). {@code inferred}
     * holds the outputs' inferred types and shapes.
     */
    public boolean tryFold(Node node, List<ValueInfo> inferred, InferenceContext ctx) {
        ConstantOp op = OPS.get(node.opType());
        if (op == null || node.outputs().stream().anyMatch(graphOutputs::contains)) return false;
        boolean isConstant = node.opType().equals("Constant");
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            if (!node.hasInput(i)) {
                inputs.add(null);
            } else if (node.opType().equals("Shape")) {
                inputs.add(null);
            } else {
                Tensor t = graph.initializers().get(node.input(i));
                if (t == null || !foldable(node.input(i), t)) return false;
                inputs.add(t);
            }
        }
        long cost = 0;
        for (Tensor t : inputs) if (t != null) cost += t.size();
        if (!isConstant) {
            for (ValueInfo v : inferred) {
                if (v == null) continue;
                long size = Shapes.size(v.shape());
                if (size > MAX_ELEMENTS) return false;
                // an elementwise fold visits every output element once per input
                cost += size * (inputs.size() + 1);
            }
        }
        if (work + cost > MAX_WORK) return false;
        work += cost;
        List<Tensor> results = op.evaluate(node, inputs, inferred, ctx);
        for (int i = 0; i < node.outputs().size(); i++) {
            String name = node.output(i);
            if (name.isEmpty()) continue;
            Tensor t = results.get(i);
            ValueInfo expected = inferred.get(i);
            if (t.type() != expected.type() || !Arrays.equals(t.shape(), expected.shape())) {
                throw new IllegalStateException("folding " + node + " gave " + t + ", its shape rule says " + expected);
            }
            graph.addInitializer(name, t);
            folded.put(name, t);
        }
        return true;
    }

    private boolean foldable(String name, Tensor t) {
        if (t.size() > MAX_ELEMENTS) return false;
        return folded.containsKey(name) || !t.type().isFloating() || t.rank() == 0;
    }
}
