package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Where(condition, X, Y): the three shapes broadcast; the values have X's type. */
public final class WhereShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] c = ctx.shape(node, 0);
        long[] x = ctx.shape(node, 1);
        long[] y = ctx.shape(node, 2);
        if (ctx.type(node, 0) != DataType.BOOL) throw ctx.error(node, "the condition must be boolean");
        DataType type = ctx.sameType(node, 1, 2);
        long[] out = Broadcasting.shape(c, x, y);
        if (out == null) throw ctx.error(node, "shapes " + Broadcasting.describe(c, x, y) + " do not broadcast");
        return List.of(InferenceContext.out(node, 0, type, out));
    }
}
