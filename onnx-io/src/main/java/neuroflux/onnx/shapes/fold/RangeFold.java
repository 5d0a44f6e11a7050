package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** Range: start, start + delta, ... below limit (above it for a negative delta). */
final class RangeFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        ValueInfo out = outputs.get(0);
        int n = Math.toIntExact(out.shape()[0]);
        if (Values.isInteger(out.type())) {
            long start = inputs.get(0).longs()[0];
            long delta = inputs.get(2).longs()[0];
            long[] v = new long[n];
            for (int i = 0; i < n; i++) v[i] = start + i * delta;
            return List.of(Values.fromLongs(out.type(), out.shape(), v));
        }
        double start = inputs.get(0).doubles()[0];
        double delta = inputs.get(2).doubles()[0];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = start + i * delta;
        return List.of(Values.fromDoubles(out.type(), out.shape(), v));
    }
}
