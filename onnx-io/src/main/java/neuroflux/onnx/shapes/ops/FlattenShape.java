package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Flatten: the axes before {@code axis} become one dimension and the rest another. */
public final class FlattenShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long axis = node.intAttr("axis", 1);
        if (axis < -x.length || axis > x.length) throw ctx.error(node, "axis " + axis + " is out of range");
        int a = (int) (axis < 0 ? axis + x.length : axis);
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < x.length; i++) {
            if (i < a) outer = Math.multiplyExact(outer, x[i]);
            else inner = Math.multiplyExact(inner, x[i]);
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), outer, inner));
    }
}
