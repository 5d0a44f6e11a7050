package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** ConvTranspose: X [N, C, D...] with W [C, M/group, k...] gives [N, M, D'...]; output_shape wins if given. */
public final class ConvTransposeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] w = ctx.shape(node, 1);
        if (x.length < 3 || w.length != x.length) {
            throw ctx.error(node, "input " + Shapes.format(x) + " and weight " + Shapes.format(w)
                    + " must both have rank 3 or more and the same rank");
        }
        long group = node.intAttr("group", 1);
        if (group < 1 || w[0] != x[1] || x[1] % group != 0) {
            throw ctx.error(node, "input with " + x[1] + " channels does not fit weight " + Shapes.format(w)
                    + " in " + group + " group(s)");
        }
        long channels = Math.multiplyExact(w[1], group);
        int n = x.length - 2;
        long[] kernel = node.intsAttr("kernel_shape", SlidingWindow.spatial(w));
        long[] strides = SlidingWindow.perAxis(node, ctx, "strides", n, 1);
        long[] dilations = SlidingWindow.perAxis(node, ctx, "dilations", n, 1);
        long[] outputPadding = SlidingWindow.perAxis(node, ctx, "output_padding", n, 0);
        long[] pads = node.intsAttr("pads", new long[2 * n]);
        if (pads.length != 2 * n || kernel.length != n) {
            throw ctx.error(node, "pads or kernel_shape do not match " + n + " spatial dimensions");
        }
        long[] out = new long[n];
        long[] given = node.intsAttr("output_shape", null);
        if (given != null) {
            // output_shape may list the spatial sizes only, or the whole shape
            if (given.length != n && given.length != n + 2) {
                throw ctx.error(node, "output_shape " + Shapes.format(given) + " does not match the input rank");
            }
            System.arraycopy(given, given.length - n, out, 0, n);
        } else {
            String autoPad = node.stringAttr("auto_pad", "NOTSET");
            for (int i = 0; i < n; i++) {
                if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1 || outputPadding[i] < 0) {
                    throw ctx.error(node, "strides, dilations and kernel sizes must be positive, output_padding"
                            + " not negative");
                }
                long span = Math.addExact(Math.multiplyExact(kernel[i] - 1, dilations[i]), 1);
                long full = Math.addExact(Math.multiplyExact(strides[i], x[i + 2] - 1),
                        Math.addExact(outputPadding[i], span));
                out[i] = autoPad.startsWith("SAME") ? Math.multiplyExact(x[i + 2], strides[i])
                        : full - (autoPad.equals("VALID") ? 0 : Math.addExact(pads[i], pads[i + n]));
            }
        }
        for (long d : out) if (d < 1) throw ctx.error(node, "the output would have size " + d);
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), SlidingWindow.concat(x[0], channels, out)));
    }
}
