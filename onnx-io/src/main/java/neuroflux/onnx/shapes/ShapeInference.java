package neuroflux.onnx.shapes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.fold.ConstantFolder;

/**
 * Infers the element type and shape of every value of a graph from its inputs' shapes.
 *
 * <p>Contract (other stages rely on it): the graph's inputs must carry fully known shapes, batch included
 * (set them with {@code graph.inputs().set(i, v.withShape(...))} first). On return, {@code graph.valueInfo()}
 * holds a {@code ValueInfo} with a fully known shape for every node output, and shape arithmetic that exports
 * compute at run time (Shape, Gather, Unsqueeze, Concat, Cast, Div... on small integer tensors) has been folded
 * into initializers. An unsupported operator is a {@code BadInputException} naming the node.
 *
 * <p>Also on return: the nodes are in topological order, the graph's outputs carry their inferred shapes, and
 * initializers that only folded nodes read are gone. Each operator's rule is an {@link OpShape} in
 * {@link OpShapes}; folding is {@link ConstantFolder}'s.
 */
public final class ShapeInference {
    /**
     * No value may hold more elements than this (4 TB of floats): beyond it a shape is absurd at any batch size,
     * and failing at the node that makes it names the culprit, where carrying it on fails at some later node
     * with a confusing message.
     */
    public static final long MAX_ELEMENTS = 1L << 40;

    private ShapeInference() {}

    public static void infer(Graph graph) {
        inferAndFold(graph);
    }

    /**
     * Does what {@link #infer} does and returns every value it folded with its value, intermediates that were
     * dropped afterwards included: the importer compares them across batch sizes to tell which shape arithmetic
     * depends on the batch.
     */
    public static Map<String, Tensor> inferAndFold(Graph graph) {
        for (ValueInfo in : graph.inputs()) {
            if (in.type() == null || !Shapes.isKnown(in.shape())) {
                throw new BadInputException("graph input '" + in.name() + "' has type " + in.type() + " and shape "
                        + Shapes.format(in.shape()) + "; shape inference needs both fully known");
            }
        }
        checkSingleAssignment(graph);
        graph.sortTopologically();
        InferenceContext ctx = new InferenceContext(graph);
        ConstantFolder folder = new ConstantFolder(graph);
        Set<String> readByFolded = new HashSet<>();
        for (ValueInfo in : graph.inputs()) graph.valueInfo().put(in.name(), in);
        List<Node> kept = new ArrayList<>();
        for (Node node : graph.nodes()) {
            List<ValueInfo> inferred = inferNode(node, ctx);
            if (folder.tryFold(node, inferred, ctx)) {
                readByFolded.addAll(node.inputs());
                for (String o : node.outputs()) graph.valueInfo().remove(o);
                continue;
            }
            for (ValueInfo v : inferred) if (v != null) graph.valueInfo().put(v.name(), v);
            kept.add(node);
        }
        graph.nodes().clear();
        graph.nodes().addAll(kept);
        dropUnreadInitializers(graph, readByFolded, folder.folded().keySet());
        updateOutputs(graph);
        return folder.folded();
    }

    /** Runs the operator's rule and checks that it described every output fully. */
    private static List<ValueInfo> inferNode(Node node, InferenceContext ctx) {
        OpShape rule = OpShapes.of(node);
        List<ValueInfo> inferred;
        try {
            inferred = new ArrayList<>(rule.infer(node, ctx));
        } catch (ArithmeticException e) {
            throw ctx.error(node, "its output would be absurdly large (" + e.getMessage() + ")");
        }
        if (inferred.size() < node.outputs().size()) {
            throw ctx.error(node, "it has " + node.outputs().size() + " outputs, the operator gives at most "
                    + inferred.size());
        }
        for (int i = 0; i < node.outputs().size(); i++) {
            if (node.output(i).isEmpty()) {
                inferred.set(i, null);
                continue;
            }
            ValueInfo v = inferred.get(i);
            if (v == null || v.type() == null || !Shapes.isKnown(v.shape())) {
                throw ctx.error(node, "the shape of output '" + node.output(i) + "' cannot be inferred");
            }
            if (v.shape().length > Shapes.MAX_RANK) {
                throw ctx.error(node, "output '" + node.output(i) + "' would have " + v.shape().length
                        + " dimensions, more than neuroflux accepts (" + Shapes.MAX_RANK + ")");
            }
            long size;
            try {
                size = Shapes.size(v.shape());
            } catch (ArithmeticException e) {
                size = Long.MAX_VALUE;
            }
            if (size > MAX_ELEMENTS) {
                throw ctx.error(node, "output '" + node.output(i) + "' would be absurdly large ("
                        + Shapes.format(v.shape()) + ")");
            }
        }
        return inferred.subList(0, node.outputs().size());
    }

    /** Every value is written once: by the caller as an input or initializer, or by exactly one node. */
    private static void checkSingleAssignment(Graph graph) {
        Set<String> written = new HashSet<>(graph.initializers().keySet());
        written.addAll(graph.inputNames());
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty() && !written.add(o)) {
                    throw new BadInputException("node " + n.describe() + " writes '" + o
                            + "', which is already a graph input, an initializer or another node's output");
                }
            }
        }
    }

    private static void dropUnreadInitializers(Graph graph, Set<String> readByFolded, Set<String> folded) {
        Set<String> read = new HashSet<>(graph.outputNames());
        for (Node n : graph.nodes()) read.addAll(n.inputs());
        graph.initializers().keySet().removeIf(k -> !read.contains(k)
                && (readByFolded.contains(k) || folded.contains(k)));
    }

    /** Gives the graph outputs their inferred shapes, failing where a declared dimension disagrees. */
    private static void updateOutputs(Graph graph) {
        for (int i = 0; i < graph.outputs().size(); i++) {
            ValueInfo declared = graph.outputs().get(i);
            long[] shape = graph.shapeOf(declared.name());
            ValueInfo v = new ValueInfo(declared.name(), graph.typeOf(declared.name()), shape);
            if (!Shapes.isKnown(shape) || v.type() == null) {
                throw new BadInputException("graph output '" + declared.name() + "' is not computed by any node");
            }
            long[] d = declared.shape();
            boolean agrees = d == null || d.length == shape.length;
            for (int k = 0; agrees && d != null && k < d.length; k++) agrees = d[k] < 0 || d[k] == shape[k];
            if (!agrees || (declared.type() != null && declared.type() != v.type())) {
                throw new BadInputException("graph output '" + declared.name() + "' is declared as " + declared.type()
                        + " " + Shapes.format(d) + " but the graph computes " + v.type() + " " + Shapes.format(shape));
            }
            graph.outputs().set(i, v);
            graph.valueInfo().put(v.name(), v);
        }
    }
}
