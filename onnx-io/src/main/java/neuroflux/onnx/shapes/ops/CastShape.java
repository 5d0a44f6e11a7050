package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Cast: the input's shape in the element type named by {@code to}. */
public final class CastShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        if (!node.has("to")) throw ctx.error(node, "attribute 'to' is required");
        DataType to = DataType.fromCode((int) node.intAttr("to", 0));
        return List.of(InferenceContext.out(node, 0, to, ctx.shape(node, 0)));
    }
}
