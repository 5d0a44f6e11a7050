package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** GatherElements: the indices' shape with the data's type. */
public final class GatherElementsShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] data = ctx.shape(node, 0);
        long[] indices = ctx.shape(node, 1);
        if (data.length != indices.length) throw ctx.error(node, "data and indices differ in rank");
        ctx.axis(node, node.intAttr("axis", 0), data.length);
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), indices));
    }
}
