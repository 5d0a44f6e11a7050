package neuroflux.onnx.shapes.ops;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** MaxPool and AveragePool: [N, C, D...] to [N, C, D'...]; MaxPool's optional Indices output is int64. */
public final class PoolShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        if (x.length < 3) throw ctx.error(node, "input " + Shapes.format(x) + " has no spatial axes");
        long[] kernel = node.intsAttr("kernel_shape", null);
        if (kernel == null) throw ctx.error(node, "kernel_shape is required");
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        long[] spatial = SlidingWindow.outputSizes(node, ctx, SlidingWindow.spatial(x), kernel, ceil);
        long[] y = SlidingWindow.concat(x[0], x[1], spatial);
        List<ValueInfo> out = new ArrayList<>();
        out.add(InferenceContext.out(node, 0, ctx.type(node, 0), y));
        if (node.outputs().size() > 1) out.add(InferenceContext.out(node, 1, DataType.INT64, y));
        return out;
    }
}
