package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;

/** Expand: the input broadcast to the output shape. */
final class ExpandFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        Tensor x = inputs.get(0);
        long[] index = new long[Math.toIntExact(Shapes.size(y))];
        for (int i = 0; i < index.length; i++) index[i] = Broadcasting.sourceIndex(i, y, x.shape());
        return List.of(Values.pick(y, x, index));
    }
}
