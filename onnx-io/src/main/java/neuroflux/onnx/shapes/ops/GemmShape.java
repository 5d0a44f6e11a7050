package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Gemm: op(A) [M, K] times op(B) [K, N] gives [M, N]; C must broadcast to it. */
public final class GemmShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] a = ctx.shape(node, 0);
        long[] b = ctx.shape(node, 1);
        if (a.length != 2 || b.length != 2) {
            throw ctx.error(node, "inputs " + Shapes.format(a) + " and " + Shapes.format(b) + " must be matrices");
        }
        boolean ta = node.intAttr("transA", 0) != 0;
        boolean tb = node.intAttr("transB", 0) != 0;
        long m = ta ? a[1] : a[0];
        long k = ta ? a[0] : a[1];
        long k2 = tb ? b[1] : b[0];
        long n = tb ? b[0] : b[1];
        if (k != k2) {
            throw ctx.error(node, "inner dimensions differ: " + Shapes.format(a) + (ta ? "ᵀ" : "") + " times "
                    + Shapes.format(b) + (tb ? "ᵀ" : ""));
        }
        long[] y = {m, n};
        if (node.hasInput(2)) {
            long[] c = ctx.shape(node, 2);
            long[] joined = Broadcasting.shape(y, c);
            if (joined == null || joined.length != 2 || joined[0] != m || joined[1] != n) {
                throw ctx.error(node, "C " + Shapes.format(c) + " does not broadcast to " + Shapes.format(y));
            }
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
