package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.ops.SliceShape;

/** Slice, using the same clamped ranges as its shape rule. */
final class SliceFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        Tensor data = inputs.get(0);
        long[] x = data.shape();
        SliceShape.Ranges r = SliceShape.ranges(node, ctx, x);
        long[] y = r.counts();
        long[] source = new long[Math.toIntExact(Shapes.size(y))];
        for (int i = 0; i < source.length; i++) {
            long[] c = Values.coordinates(i, y);
            for (int a = 0; a < c.length; a++) c[a] = r.starts()[a] + c[a] * r.steps()[a];
            source[i] = Values.flat(c, x);
        }
        return List.of(Values.pick(y, data, source));
    }
}
