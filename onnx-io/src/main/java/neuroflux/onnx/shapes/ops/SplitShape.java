package neuroflux.onnx.shapes.ops;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * Split along an axis: sizes from the split input (opset 13 on) or attribute (before), else equal parts, one per
 * output or num_outputs of them (opset 18), the last one smaller if the axis does not divide evenly.
 */
public final class SplitShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        int axis = ctx.axis(node, node.intAttr("axis", 0), x.length);
        long[] sizes = sizes(node, ctx, x[axis]);
        List<ValueInfo> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            long[] y = x.clone();
            y[axis] = sizes[i];
            out.add(InferenceContext.out(node, i, ctx.type(node, 0), y));
        }
        return out;
    }

    public static long[] sizes(Node node, InferenceContext ctx, long dim) {
        int parts = node.outputs().size();
        long[] split = ctx.intsFromInputOr(node, 1, "split", node.intsAttr("split", null));
        if (split != null) {
            if (split.length != parts) {
                throw ctx.error(node, "split lists " + split.length + " sizes for " + parts + " outputs");
            }
            long total = 0;
            for (long s : split) {
                if (s < 0) throw ctx.error(node, "split has a negative size");
                total = Math.addExact(total, s);
            }
            if (total != dim) throw ctx.error(node, "split sizes add up to " + total + ", the axis has " + dim);
            return split;
        }
        long n = node.intAttr("num_outputs", parts);
        if (n != parts || n < 1) throw ctx.error(node, "num_outputs is " + n + " but it has " + parts + " outputs");
        long chunk = (dim + n - 1) / n;
        long[] sizes = new long[parts];
        long left = dim;
        for (int i = 0; i < parts; i++) {
            sizes[i] = Math.min(chunk, left);
            left -= sizes[i];
        }
        if (node.has("num_outputs") ? left != 0 : dim % n != 0) {
            throw ctx.error(node, "an axis of " + dim + " cannot be split into " + n + " parts");
        }
        return sizes;
    }
}
