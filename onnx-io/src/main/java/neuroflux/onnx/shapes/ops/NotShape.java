package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Not: a boolean tensor of the input's shape. */
public final class NotShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        if (ctx.type(node, 0) != DataType.BOOL) throw ctx.error(node, "input must be boolean");
        return List.of(InferenceContext.out(node, 0, DataType.BOOL, ctx.shape(node, 0)));
    }
}
