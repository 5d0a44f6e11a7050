package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** OneHot(indices, depth, values): a new axis of size depth at {@code axis}, with the values' type. */
public final class OneHotShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] indices = ctx.shape(node, 0);
        long[] depthValue = ctx.constantInts(node, 1, "depth");
        if (depthValue.length != 1 || depthValue[0] < 1) throw ctx.error(node, "depth must be one positive number");
        long[] values = ctx.shape(node, 2);
        if (Shapes.size(values) != 2) throw ctx.error(node, "values must hold two entries (off, on)");
        int rank = indices.length + 1;
        int axis = ctx.axis(node, node.intAttr("axis", -1), rank);
        long[] y = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) y[i] = i == axis ? depthValue[0] : indices[j++];
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 2), y));
    }
}
