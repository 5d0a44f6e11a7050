package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** ArgMax: int64 indices with the axis reduced (kept as 1 when keepdims, the default). */
public final class ArgMaxShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        int axis = ctx.axis(node, node.intAttr("axis", 0), x.length);
        boolean keep = node.intAttr("keepdims", 1) != 0;
        long[] y = new long[keep ? x.length : x.length - 1];
        for (int i = 0, j = 0; i < x.length; i++) {
            if (i != axis) y[j++] = x[i];
            else if (keep) y[j++] = 1;
        }
        return List.of(InferenceContext.out(node, 0, DataType.INT64, y));
    }
}
