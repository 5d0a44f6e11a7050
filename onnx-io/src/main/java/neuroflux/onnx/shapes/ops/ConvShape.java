package neuroflux.onnx.shapes.ops;

import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Conv: X [N, C, D...] with W [M, C/group, k...] and optional B [M] gives [N, M, D'...]. */
public final class ConvShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] w = ctx.shape(node, 1);
        if (x.length < 3 || w.length != x.length) {
            throw ctx.error(node, "input " + Shapes.format(x) + " and weight " + Shapes.format(w)
                    + " must both have rank 3 or more and the same rank");
        }
        long group = node.intAttr("group", 1);
        if (group < 1 || x[1] % group != 0 || w[0] % group != 0 || w[1] * group != x[1]) {
            throw ctx.error(node, "input with " + x[1] + " channels does not fit weight " + Shapes.format(w)
                    + " in " + group + " group(s)");
        }
        if (node.hasInput(2)) {
            long[] b = ctx.shape(node, 2);
            if (b.length != 1 || b[0] != w[0]) {
                throw ctx.error(node, "bias " + Shapes.format(b) + " does not match " + w[0] + " output channels");
            }
        }
        long[] kernel = node.intsAttr("kernel_shape", SlidingWindow.spatial(w));
        if (!Arrays.equals(kernel, SlidingWindow.spatial(w))) {
            throw ctx.error(node, "kernel_shape " + Shapes.format(kernel) + " differs from the weight "
                    + Shapes.format(w));
        }
        long[] spatial = SlidingWindow.outputSizes(node, ctx, SlidingWindow.spatial(x), kernel, false);
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), SlidingWindow.concat(x[0], w[0], spatial)));
    }
}
