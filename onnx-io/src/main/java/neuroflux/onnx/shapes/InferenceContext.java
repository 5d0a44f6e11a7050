package neuroflux.onnx.shapes;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * What an operator's shape rule may ask about a node's inputs while a graph is being inferred: their types,
 * shapes and, where they are constants, their values. Failures name the node so that a user can find it.
 */
public final class InferenceContext {
    /** The most entries a constant shape argument may have: two per dimension (pads) of the largest rank. */
    public static final int MAX_ARGUMENT_ENTRIES = 2 * Shapes.MAX_RANK;

    private final Graph graph;

    public InferenceContext(Graph graph) {
        this.graph = graph;
    }

    public Graph graph() {
        return graph;
    }

    /** The default-domain opset version, which decides where some operators take their arguments. */
    public long opset() {
        return graph.opsetVersion();
    }

    /** The fully known shape of the node's i-th input; fails if the input is absent or its shape unknown. */
    public long[] shape(Node node, int i) {
        if (!node.hasInput(i)) throw error(node, "input " + i + " is missing");
        long[] s = graph.shapeOf(node.input(i));
        if (!Shapes.isKnown(s)) {
            throw error(node, "the shape of input '" + node.input(i) + "' is not known");
        }
        return s;
    }

    public int rank(Node node, int i) {
        return shape(node, i).length;
    }

    public DataType type(Node node, int i) {
        if (!node.hasInput(i)) throw error(node, "input " + i + " is missing");
        DataType t = graph.typeOf(node.input(i));
        if (t == null) throw error(node, "the element type of input '" + node.input(i) + "' is not known");
        return t;
    }

    /** The value of the node's i-th input if it is a constant (an initializer), else null. */
    public Tensor constant(Node node, int i) {
        return node.hasInput(i) ? graph.initializers().get(node.input(i)) : null;
    }

    /** The values of an integer input that must be a constant for the output shape to be known. */
    public long[] constantInts(Node node, int i, String what) {
        Tensor t = constant(node, i);
        if (t == null) {
            throw error(node, "its " + what + " ('" + node.input(i) + "') is not a constant, so the output shape"
                    + " cannot be known");
        }
        // shapes, axes, pads and repeats have a few entries per dimension; millions would make absurd ranks
        if (t.size() > MAX_ARGUMENT_ENTRIES) {
            throw error(node, "its " + what + " ('" + node.input(i) + "') has " + t.size() + " entries, more than"
                    + " a shape argument can need (" + MAX_ARGUMENT_ENTRIES + ")");
        }
        return t.longs();
    }

    /** The common element type of the given inputs; inputs of different types are a broken model. */
    public DataType sameType(Node node, int... inputs) {
        DataType first = type(node, inputs[0]);
        for (int i : inputs) {
            DataType t = type(node, i);
            if (t != first) {
                throw error(node, "inputs '" + node.input(inputs[0]) + "' (" + first + ") and '" + node.input(i)
                        + "' (" + t + ") must have the same element type");
            }
        }
        return first;
    }

    /** The values of the i-th input if present and constant, else the fallback (an attribute, say). */
    public long[] intsFromInputOr(Node node, int i, String what, long[] fallback) {
        return node.hasInput(i) ? constantInts(node, i, what) : fallback;
    }

    /** An axis in [-rank, rank) made non-negative. */
    public int axis(Node node, long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw error(node, "axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    public BadInputException error(Node node, String message) {
        return new BadInputException("node " + node.describe() + ": " + message);
    }

    /** One output description; a convenience for shape rules. */
    public static ValueInfo out(Node node, int i, DataType type, long... shape) {
        return new ValueInfo(node.output(i), type, shape);
    }

    /** The same type and shape for every output of a node. */
    public static List<ValueInfo> allLike(Node node, DataType type, long[] shape) {
        List<ValueInfo> l = new ArrayList<>();
        for (int i = 0; i < node.outputs().size(); i++) l.add(out(node, i, type, shape));
        return l;
    }
}
