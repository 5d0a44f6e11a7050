package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/**
 * Operators that keep the data and change only the shape: Identity, Reshape, Flatten, Squeeze, Unsqueeze. The
 * result is the first input in the inferred output shape.
 */
final class SameDataFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        return List.of(inputs.get(0).reshape(outputs.get(0).shape()));
    }
}
