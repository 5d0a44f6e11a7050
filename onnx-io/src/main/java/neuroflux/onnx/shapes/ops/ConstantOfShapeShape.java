package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** ConstantOfShape: the shape is the (constant) input; the type is the value attribute's, float by default. */
public final class ConstantOfShapeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] shape = ctx.constantInts(node, 0, "shape");
        for (long d : shape) if (d < 0) throw ctx.error(node, "shape has a negative entry " + d);
        Tensor value = node.tensorAttr("value");
        DataType type = value == null ? DataType.FLOAT : value.type();
        return List.of(InferenceContext.out(node, 0, type, shape));
    }
}
