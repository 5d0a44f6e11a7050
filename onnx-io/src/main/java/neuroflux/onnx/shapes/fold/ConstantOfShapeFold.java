package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** ConstantOfShape: the value attribute (a float 0 by default) repeated over the shape. */
final class ConstantOfShapeFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        Tensor value = node.tensorAttr("value");
        if (value == null) value = Tensor.scalar(0f);
        if (value.size() != 1) throw ctx.error(node, "value must hold exactly one element");
        return List.of(Values.pick(y, value, new long[Math.toIntExact(Shapes.size(y))]));
    }
}
