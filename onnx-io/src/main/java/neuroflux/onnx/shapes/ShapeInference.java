package neuroflux.onnx.shapes;

import neuroflux.onnx.Graph;

/**
 * Infers the element type and shape of every value of a graph from its inputs' shapes.
 *
 * <p>Contract (other stages rely on it): the graph's inputs must carry fully known shapes, batch included
 * (set them with {@code graph.inputs().set(i, v.withShape(...))} first). On return, {@code graph.valueInfo()}
 * holds a {@code ValueInfo} with a fully known shape for every node output, and shape arithmetic that exports
 * compute at run time (Shape, Gather, Unsqueeze, Concat, Cast, Div... on small integer tensors) has been folded
 * into initializers. An unsupported operator is a {@code BadInputException} naming the node.
 */
public final class ShapeInference {
    private ShapeInference() {}

    public static void infer(Graph graph) {
        throw new UnsupportedOperationException("shape inference is being written");
    }
}
