package neuroflux.onnx.shapes.ops;

import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** MatMul with numpy semantics: 1-D operands gain and lose a unit axis, leading axes broadcast. */
public final class MatMulShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] a = ctx.shape(node, 0);
        long[] b = ctx.shape(node, 1);
        if (a.length == 0 || b.length == 0) throw ctx.error(node, "operands must not be scalars");
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            throw ctx.error(node, "inner dimensions differ: " + Shapes.format(a) + " times " + Shapes.format(b));
        }
        long[] batch = Broadcasting.shape(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        if (batch == null) throw ctx.error(node, "leading axes of " + Broadcasting.describe(a, b) + " do not broadcast");
        long[] y = Arrays.copyOf(batch, batch.length + 2);
        y[batch.length] = a2[a2.length - 2];
        y[batch.length + 1] = b2[b2.length - 1];
        if (b.length == 1) y = Arrays.copyOf(y, y.length - 1);
        if (a.length == 1) {
            long[] z = new long[y.length - 1];
            int drop = b.length == 1 ? y.length - 1 : y.length - 2;
            for (int i = 0, j = 0; i < y.length; i++) if (i != drop) z[j++] = y[i];
            y = z;
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
