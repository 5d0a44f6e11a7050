package neuroflux.onnx.shapes.ops;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * BatchNormalization: Y has X's shape. In training mode the extra outputs (running mean and variance, and in
 * opsets before 14 also the saved batch statistics) are per-channel vectors [C].
 */
public final class BatchNormalizationShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        if (x.length < 2) throw ctx.error(node, "input " + Shapes.format(x) + " has no channel axis");
        for (int i = 1; i <= 4; i++) {
            long[] p = ctx.shape(node, i);
            if (p.length != 1 || p[0] != x[1]) {
                throw ctx.error(node, "input '" + node.input(i) + "' has shape " + Shapes.format(p)
                        + ", expected " + x[1] + " (one value per channel)");
            }
        }
        List<ValueInfo> out = new ArrayList<>();
        out.add(InferenceContext.out(node, 0, ctx.type(node, 0), x));
        for (int i = 1; i < node.outputs().size(); i++) {
            out.add(InferenceContext.out(node, i, ctx.type(node, 3), x[1]));
        }
        return out;
    }
}
