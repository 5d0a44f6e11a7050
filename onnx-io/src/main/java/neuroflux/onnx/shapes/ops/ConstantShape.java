package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Constant: the type and shape of the value it holds. */
public final class ConstantShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        Tensor t = value(node);
        return List.of(InferenceContext.out(node, 0, t.type(), t.shape()));
    }

    /** The tensor a Constant node produces, from whichever of its value attributes it has. */
    public static Tensor value(Node node) {
        if (node.has("value")) return node.tensorAttr("value");
        if (node.has("value_float")) return Tensor.scalar(node.floatAttr("value_float", 0));
        if (node.has("value_floats")) {
            float[] f = node.floatsAttr("value_floats", null);
            return Tensor.ofFloats(new long[] {f.length}, f);
        }
        if (node.has("value_int")) return Tensor.ofLongs(new long[0], node.intAttr("value_int", 0));
        if (node.has("value_ints")) return Tensor.vector(node.intsAttr("value_ints", null));
        throw new BadInputException("node " + node.describe() + ": it holds no value neuroflux can read"
                + " (value, value_float(s) or value_int(s))");
    }
}
