package neuroflux.onnx.shapes.ops;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * ReduceMean, ReduceSum, ReduceMax: the axes come from the second input (ReduceSum since opset 13, all since 18)
 * or from the axes attribute before that; no axes means all, unless noop_with_empty_axes is set.
 */
public final class ReduceShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] axes = ctx.intsFromInputOr(node, 1, "axes", node.intsAttr("axes", new long[0]));
        boolean keep = node.intAttr("keepdims", 1) != 0;
        boolean[] reduced = new boolean[x.length];
        if (axes.length == 0) {
            if (node.intAttr("noop_with_empty_axes", 0) == 0) java.util.Arrays.fill(reduced, true);
        } else {
            for (long a : axes) reduced[ctx.axis(node, a, x.length)] = true;
        }
        List<Long> y = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!reduced[i]) y.add(x[i]);
            else if (keep) y.add(1L);
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0),
                y.stream().mapToLong(Long::longValue).toArray()));
    }
}
