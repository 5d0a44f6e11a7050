package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Concat: shapes agree except along {@code axis}, where they add up. */
public final class ConcatShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        if (!node.hasInput(0)) throw ctx.error(node, "it has no inputs");
        long[] first = ctx.shape(node, 0);
        if (!node.has("axis")) throw ctx.error(node, "attribute axis is required");
        int axis = ctx.axis(node, node.intAttr("axis", 0), first.length);
        long[] y = first.clone();
        for (int i = 1; i < node.inputs().size(); i++) {
            long[] s = ctx.shape(node, i);
            boolean fits = s.length == first.length;
            for (int d = 0; fits && d < s.length; d++) fits = d == axis || s[d] == first[d];
            if (!fits) {
                throw ctx.error(node, "input shapes " + Shapes.format(first) + " and " + Shapes.format(s)
                        + " cannot be joined along axis " + axis);
            }
            y[axis] = Math.addExact(y[axis], s[axis]);
        }
        // folding copies elements at the first input's width; mixed types would misread the others
        DataType type = ctx.sameType(node, java.util.stream.IntStream.range(0, node.inputs().size()).toArray());
        return List.of(InferenceContext.out(node, 0, type, y));
    }
}
