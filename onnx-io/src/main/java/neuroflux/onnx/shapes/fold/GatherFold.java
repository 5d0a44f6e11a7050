package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** Gather along an axis; negative indices count from the end. */
final class GatherFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        Tensor data = inputs.get(0);
        long[] d = data.shape();
        long[] indices = inputs.get(1).longs();
        int axis = ctx.axis(node, node.intAttr("axis", 0), d.length);
        long[] y = outputs.get(0).shape();
        long outer = 1;
        for (int i = 0; i < axis; i++) outer *= d[i];
        long inner = 1;
        for (int i = axis + 1; i < d.length; i++) inner *= d[i];
        long[] source = new long[Math.toIntExact(Shapes.size(y))];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (long q : indices) {
                long at = q < 0 ? q + d[axis] : q;
                if (at < 0 || at >= d[axis]) throw ctx.error(node, "index " + q + " is out of range for " + d[axis]);
                for (long in = 0; in < inner; in++) source[k++] = (o * d[axis] + at) * inner + in;
            }
        }
        return List.of(Values.pick(y, data, source));
    }
}
