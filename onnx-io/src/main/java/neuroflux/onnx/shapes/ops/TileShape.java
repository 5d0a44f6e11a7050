package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Tile: every dimension multiplied by its (constant) repeat count. */
public final class TileShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] repeats = ctx.constantInts(node, 1, "repeats");
        if (repeats.length != x.length) throw ctx.error(node, "repeats has " + repeats.length + " entries for rank " + x.length);
        long[] y = new long[x.length];
        for (int i = 0; i < y.length; i++) {
            if (repeats[i] < 0) throw ctx.error(node, "a repeat count is negative");
            y[i] = Math.multiplyExact(x[i], repeats[i]);
        }
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }
}
