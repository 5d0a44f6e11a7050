package neuroflux.onnx.shapes.ops;

import java.util.List;
import java.util.stream.IntStream;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Squeeze: the given unit axes removed (axes as input since opset 13), or every unit axis if none are given. */
public final class SqueezeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), shape(node, ctx, ctx.shape(node, 0))));
    }

    public static long[] shape(Node node, InferenceContext ctx, long[] x) {
        long[] axes = ctx.intsFromInputOr(node, 1, "axes", node.intsAttr("axes", null));
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) drop[i] = x[i] == 1;
        } else {
            for (long a : axes) {
                int axis = ctx.axis(node, a, x.length);
                if (x[axis] != 1) throw ctx.error(node, "axis " + a + " has size " + x[axis] + ", not 1");
                drop[axis] = true;
            }
        }
        return IntStream.range(0, x.length).filter(i -> !drop[i]).mapToLong(i -> x[i]).toArray();
    }
}
