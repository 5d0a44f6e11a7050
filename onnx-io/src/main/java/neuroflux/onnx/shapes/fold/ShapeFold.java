package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.ops.ShapeShape;

/** Shape: the input's known dimensions; the input itself need not be constant. */
final class ShapeFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        return List.of(Tensor.vector(ShapeShape.dims(node, ctx.shape(node, 0))));
    }
}
