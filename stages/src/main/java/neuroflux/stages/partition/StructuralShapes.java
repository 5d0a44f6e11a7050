package neuroflux.stages.partition;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * The few facts about shapes that partitioning needs (a value's rank, its channel count, a weight's shape), taken
 * from the graph's inferred shapes when it has them and otherwise worked out from the operators. That lets a model
 * be partitioned before shape inference, at a symbolic batch size; -1 (or null) means the fact is not known.
 */
final class StructuralShapes {
    /** Operators whose output has the rank of their first input. */
    private static final Set<String> RANK_KEEPING = Set.of(
            "Conv", "ConvTranspose", "BatchNormalization", "InstanceNormalization", "LRN", "MaxPool", "AveragePool",
            "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "Relu", "LeakyRelu", "PRelu", "Clip",
            "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "Softplus", "Mish", "Gelu", "Erf", "Exp",
            "Neg", "Abs", "Sqrt", "Identity", "Dropout", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
            "Mean", "Concat", "Transpose", "Pad", "Resize", "Upsample", "Softmax", "LogSoftmax", "Cast", "Slice",
            "DepthToSpace", "SpaceToDepth");
    /** Operators whose output has the channels of their first input. */
    private static final Set<String> CHANNEL_KEEPING = Set.of(
            "BatchNormalization", "InstanceNormalization", "LRN", "MaxPool", "AveragePool", "LpPool",
            "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid",
            "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "Softplus", "Mish", "Gelu", "Identity", "Dropout",
            "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pad", "Resize", "Upsample");

    private final Graph graph;
    private final Map<String, Node> producers;
    private final Map<String, Integer> ranks = new HashMap<>();

    StructuralShapes(Graph graph) {
        this.graph = graph;
        this.producers = graph.producers();
    }

    int rank(String value) {
        long[] known = graph.shapeOf(value);
        if (known != null) return known.length;
        Integer memo = ranks.get(value);
        if (memo != null) return memo;
        int r = rankFromProducer(value);
        ranks.put(value, r);
        return r;
    }

    private int rankFromProducer(String value) {
        Node p = producers.get(value);
        if (p == null) return -1;
        int first = p.inputs().isEmpty() ? -1 : rank(p.input(0));
        return switch (p.opType()) {
            case "Flatten", "Gemm" -> 2;
            case "Shape" -> 1;
            case "MatMul" -> Math.max(first, rank(p.input(1)));
            case "Reshape" -> {
                long[] target = constantValue(p.input(1));
                yield target == null ? -1 : target.length;
            }
            case "Squeeze", "Unsqueeze" -> {
                long[] axes = axes(p);
                if (first < 0 || axes == null) yield -1;
                yield p.opType().equals("Squeeze") ? first - axes.length : first + axes.length;
            }
            case "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceL2", "ReduceL1" -> {
                if (first < 0 || p.intAttr("keepdims", 1) == 1) yield first;
                long[] axes = axes(p);
                yield axes == null ? -1 : first - axes.length;
            }
            default -> RANK_KEEPING.contains(p.opType()) ? first : -1;
        };
    }

    /** The channel count (dimension 1) of a feature map, or -1. */
    long channels(String value) {
        long[] known = graph.shapeOf(value);
        if (known != null && known.length >= 2 && known[1] >= 0) return known[1];
        Node p = producers.get(value);
        if (p == null) return -1;
        if (p.opType().equals("Conv")) {
            long[] w = constantShape(p.input(1));
            return w == null ? -1 : w[0];
        }
        if (p.opType().equals("ConvTranspose")) {
            long[] w = constantShape(p.input(1));
            return w == null ? -1 : w[1] * p.intAttr("group", 1);
        }
        if (p.opType().equals("Concat") && p.intAttr("axis", 0) == 1) {
            long sum = 0;
            for (String in : p.inputs()) {
                long c = channels(in);
                if (c < 0) return -1;
                sum += c;
            }
            return sum;
        }
        return CHANNEL_KEEPING.contains(p.opType()) ? channels(p.input(0)) : -1;
    }

    /** The shape of a constant (an initializer, an Identity of one, or a Constant node's tensor), or null. */
    long[] constantShape(String value) {
        Tensor t = constant(value);
        return t == null ? graph.shapeOf(value) : t.shape();
    }

    private long[] constantValue(String value) {
        Tensor t = constant(value);
        return t == null ? null : t.longs();
    }

    private Tensor constant(String value) {
        Tensor init = graph.initializers().get(value);
        if (init != null) return init;
        Node p = producers.get(value);
        if (p == null) return null;
        return switch (p.opType()) {
            case "Identity" -> constant(p.input(0));
            case "Constant" -> p.tensorAttr("value");
            default -> null;
        };
    }

    /** Axes given as an attribute (older opsets) or as a constant second input (newer ones). */
    private long[] axes(Node n) {
        if (n.has("axes")) return n.intsAttr("axes", null);
        return n.hasInput(1) ? constantValue(n.input(1)) : null;
    }
}
