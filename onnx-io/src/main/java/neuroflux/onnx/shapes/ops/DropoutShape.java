package neuroflux.onnx.shapes.ops;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Dropout: the output has the input's shape; the optional mask too, as booleans. */
public final class DropoutShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        List<ValueInfo> out = new ArrayList<>();
        out.add(InferenceContext.out(node, 0, ctx.type(node, 0), x));
        if (node.outputs().size() > 1) out.add(InferenceContext.out(node, 1, DataType.BOOL, x));
        return out;
    }
}
