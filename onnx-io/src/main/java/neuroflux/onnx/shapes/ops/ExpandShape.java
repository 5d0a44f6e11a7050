package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Expand: the input broadcast with the (constant) shape input. */
public final class ExpandShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] target = ctx.constantInts(node, 1, "shape");
        long[] y = Broadcasting.shape(x, target);
        if (y == null) throw ctx.error(node, Shapes.format(x) + " cannot be expanded to " + Shapes.format(target));
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
