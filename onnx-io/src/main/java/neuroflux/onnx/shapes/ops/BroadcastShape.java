package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * Elementwise operators with numpy broadcasting over all their inputs: Add, Sub, Mul, Div, Pow, Sum, Max, Min
 * keep the first input's type; the comparisons Equal, Greater and Less give booleans.
 */
public final class BroadcastShape implements OpShape {
    private final boolean comparison;

    private BroadcastShape(boolean comparison) {
        this.comparison = comparison;
    }

    public static BroadcastShape arithmetic() {
        return new BroadcastShape(false);
    }

    public static BroadcastShape comparison() {
        return new BroadcastShape(true);
    }

    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        int n = node.inputs().size();
        if (n == 0) throw ctx.error(node, "it has no inputs");
        long[][] shapes = new long[n][];
        for (int i = 0; i < n; i++) shapes[i] = ctx.shape(node, i);
        long[] out = Broadcasting.shape(shapes);
        if (out == null) {
            throw ctx.error(node, "input shapes " + Broadcasting.describe(shapes) + " do not broadcast");
        }
        // Pow alone may raise to an exponent of another type; ONNX Runtime refuses mixed types elsewhere, and
        // folding would read one input's bytes at the other's width
        DataType common = node.opType().equals("Pow") ? ctx.type(node, 0)
                : ctx.sameType(node, java.util.stream.IntStream.range(0, n).toArray());
        DataType type = comparison ? DataType.BOOL : common;
        return List.of(InferenceContext.out(node, 0, type, out));
    }
}
