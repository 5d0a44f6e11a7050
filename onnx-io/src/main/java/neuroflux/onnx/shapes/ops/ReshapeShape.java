package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Reshape: the target must be a constant (after folding); 0 copies the input's dimension, -1 is inferred. */
public final class ReshapeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] target = ctx.constantInts(node, 1, "target shape");
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0),
                resolve(x, target, node.intAttr("allowzero", 0) != 0, node, ctx)));
    }

    /** The concrete shape a Reshape target denotes for an input of shape {@code x}. */
    public static long[] resolve(long[] x, long[] target, boolean allowZero, Node node, InferenceContext ctx) {
        long[] out = target.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= x.length) throw ctx.error(node, "target entry " + i + " copies a dimension the input lacks");
                out[i] = x[i];
            }
            if (out[i] == -1) {
                if (unknown >= 0) throw ctx.error(node, "target " + Shapes.format(target) + " has more than one -1");
                unknown = i;
            } else if (out[i] < 0) {
                throw ctx.error(node, "target has a negative entry " + out[i]);
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        long size = Shapes.size(x);
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw ctx.error(node, "cannot reshape " + Shapes.format(x) + " to target " + java.util.Arrays.toString(target));
            }
            out[unknown] = size / known;
        } else if (known != size) {
            throw ctx.error(node, "cannot reshape " + Shapes.format(x) + " (" + size + " values) to "
                    + Shapes.format(out));
        }
        return out;
    }
}
