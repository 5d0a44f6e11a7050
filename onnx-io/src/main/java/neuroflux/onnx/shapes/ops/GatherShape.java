package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Gather: data [..., d_axis, ...] with indices of shape Q gives [..., Q..., ...]. */
public final class GatherShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] data = ctx.shape(node, 0);
        long[] indices = ctx.shape(node, 1);
        if (data.length == 0) throw ctx.error(node, "data " + Shapes.format(data) + " is a scalar");
        int axis = ctx.axis(node, node.intAttr("axis", 0), data.length);
        long[] y = new long[data.length - 1 + indices.length];
        int k = 0;
        for (int i = 0; i < axis; i++) y[k++] = data[i];
        for (long d : indices) y[k++] = d;
        for (int i = axis + 1; i < data.length; i++) y[k++] = data[i];
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
