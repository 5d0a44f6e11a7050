package neuroflux.stages.compile;

import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.ShapeInference;

/**
 * Makes sure every value of a graph has a known type and shape, as the compiler needs.
 */
public final class ValueShapes {
    private ValueShapes() {}

    /** Sets the batch dimension of every graph input to {@code batch}. */
    public static void setBatch(Graph g, long batch) {
        for (int i = 0; i < g.inputs().size(); i++) {
            ValueInfo v = g.inputs().get(i);
            if (v.shape() == null) throw new BadInputException("graph input '" + v.name() + "' has no shape");
            ValueInfo fixed = v.withShape(Shapes.withBatch(v.shape(), batch));
            g.inputs().set(i, fixed);
            g.valueInfo().put(v.name(), fixed);
        }
    }

    public static boolean complete(Graph g) {
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (o.isEmpty()) continue;
                ValueInfo v = g.info(o);
                if (v == null || v.type() == null || !Shapes.isKnown(v.shape())) return false;
            }
        }
        return true;
    }

    /** Infers what is not known yet (see {@link ShapeInference}); the graph's inputs must have full shapes. */
    public static void ensure(Graph g) {
        if (!complete(g)) ShapeInference.infer(g);
    }
}
