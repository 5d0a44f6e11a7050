package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Range(start, limit, delta): a vector of max(ceil((limit - start) / delta), 0) values; inputs must be constant. */
public final class RangeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            Tensor t = ctx.constant(node, i);
            if (t == null || t.size() != 1) {
                throw ctx.error(node, "input '" + node.input(i) + "' must be a constant scalar for the length to be known");
            }
            v[i] = t.doubles()[0];
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), length(node, ctx, v[0], v[1], v[2])));
    }

    public static long length(Node node, InferenceContext ctx, double start, double limit, double delta) {
        if (delta == 0) throw ctx.error(node, "delta is 0");
        if (!Double.isFinite(start) || !Double.isFinite(limit) || !Double.isFinite(delta)) {
            throw ctx.error(node, "start, limit and delta must be finite numbers");
        }
        return (long) Math.max(Math.ceil((limit - start) / delta), 0);
    }
}
