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
        long code = node.intAttr("to", 0);
        // a code beyond int range must not wrap around to a valid one
        if (code != (int) code) throw ctx.error(node, "'to' is " + code + ", not an element type");
        DataType to = DataType.fromCode((int) code);
        return List.of(InferenceContext.out(node, 0, to, ctx.shape(node, 0)));
    }
}
