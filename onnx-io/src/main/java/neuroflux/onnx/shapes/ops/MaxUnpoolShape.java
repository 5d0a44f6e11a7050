package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * MaxUnpool: the values [N, C, D...] put at their indices in a tensor of the (constant) output_shape input, or
 * without it of the size a MaxPool with these attributes pools from: (D - 1) * stride + kernel - pads.
 */
public final class MaxUnpoolShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        if (x.length < 3) throw ctx.error(node, "input " + Shapes.format(x) + " has no spatial axes");
        long[] indices = ctx.shape(node, 1);
        if (!java.util.Arrays.equals(x, indices)) {
            throw ctx.error(node, "indices " + Shapes.format(indices) + " do not match the input "
                    + Shapes.format(x));
        }
        int n = x.length - 2;
        long[] y;
        if (node.hasInput(2)) {
            y = ctx.constantInts(node, 2, "output_shape");
            if (y.length != x.length || y[0] != x[0] || y[1] != x[1]) {
                throw ctx.error(node, "output_shape " + Shapes.format(y) + " does not fit the input "
                        + Shapes.format(x));
            }
        } else {
            long[] kernel = node.intsAttr("kernel_shape", null);
            if (kernel == null || kernel.length != n) {
                throw ctx.error(node, "kernel_shape of " + n + " axes is required");
            }
            long[] ones = new long[n];
            java.util.Arrays.fill(ones, 1);
            long[] strides = node.intsAttr("strides", ones);
            long[] pads = node.intsAttr("pads", new long[2 * n]);
            y = x.clone();
            for (int i = 0; i < n; i++) y[2 + i] = (x[2 + i] - 1) * strides[i] + kernel[i] - pads[i] - pads[n + i];
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
