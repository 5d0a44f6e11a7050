package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Pad: every padded axis grows by its begin and end pads (pads and axes as constant inputs since opset 11). */
public final class PadShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] pads = ctx.intsFromInputOr(node, 1, "pads", node.intsAttr("pads", null));
        if (pads == null) throw ctx.error(node, "pads are required");
        long[] axes = node.hasInput(3) ? ctx.constantInts(node, 3, "axes") : null;
        int n = axes == null ? x.length : axes.length;
        if (pads.length != 2 * n) throw ctx.error(node, "pads has " + pads.length + " entries, expected " + 2 * n);
        long[] y = x.clone();
        for (int i = 0; i < n; i++) {
            int axis = axes == null ? i : ctx.axis(node, axes[i], x.length);
            y[axis] = Math.addExact(y[axis], Math.addExact(pads[i], pads[i + n]));
            if (y[axis] < 0) throw ctx.error(node, "padding makes axis " + axis + " negative");
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
