package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Transpose: the input's dimensions permuted by perm (reversed by default). */
public final class TransposeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        long[] perm = permutation(node, ctx, x.length);
        long[] y = new long[x.length];
        for (int i = 0; i < y.length; i++) y[i] = x[(int) perm[i]];
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), y));
    }

    public static long[] permutation(Node node, InferenceContext ctx, int rank) {
        long[] perm = node.intsAttr("perm", null);
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        }
        boolean[] seen = new boolean[rank];
        if (perm.length != rank) throw ctx.error(node, "perm has " + perm.length + " entries for rank " + rank);
        for (long p : perm) {
            if (p < 0 || p >= rank || seen[(int) p]) throw ctx.error(node, "perm is not a permutation");
            seen[(int) p] = true;
        }
        return perm;
    }
}
