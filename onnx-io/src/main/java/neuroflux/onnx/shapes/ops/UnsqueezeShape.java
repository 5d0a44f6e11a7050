package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Unsqueeze: unit axes inserted at the given positions of the output (axes as input since opset 13). */
public final class UnsqueezeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), shape(node, ctx, ctx.shape(node, 0))));
    }

    public static long[] shape(Node node, InferenceContext ctx, long[] x) {
        long[] axes = ctx.intsFromInputOr(node, 1, "axes", node.intsAttr("axes", null));
        if (axes == null) throw ctx.error(node, "axes are required");
        int rank = x.length + axes.length;
        boolean[] unit = new boolean[rank];
        for (long a : axes) {
            int axis = ctx.axis(node, a, rank);
            if (unit[axis]) throw ctx.error(node, "axis " + a + " appears twice");
            unit[axis] = true;
        }
        long[] y = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) y[i] = unit[i] ? 1 : x[j++];
        return y;
    }
}
