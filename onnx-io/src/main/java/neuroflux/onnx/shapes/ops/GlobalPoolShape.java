package neuroflux.onnx.shapes.ops;

import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** GlobalAveragePool and GlobalMaxPool: [N, C, D...] to [N, C, 1...]. */
public final class GlobalPoolShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        if (x.length < 3) throw ctx.error(node, "input " + Shapes.format(x) + " has no spatial axes");
        long[] y = x.clone();
        Arrays.fill(y, 2, y.length, 1);
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
