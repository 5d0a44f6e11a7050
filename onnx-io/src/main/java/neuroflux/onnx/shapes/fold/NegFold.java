package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** Neg. */
final class NegFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        Tensor x = inputs.get(0);
        if (Values.isInteger(x.type())) {
            return List.of(Values.fromLongs(x.type(), x.shape(), java.util.Arrays.stream(x.longs()).map(v -> -v).toArray()));
        }
        return List.of(Values.fromDoubles(x.type(), x.shape(), java.util.Arrays.stream(x.doubles()).map(v -> -v).toArray()));
    }
}
