package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Transpose: the gradient is transposed by the inverse permutation. */
final class TransposeRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        int rank = e.shape(node.input(0)).length;
        long[] perm = node.intsAttr("perm", null);
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        }
        long[] inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[(int) perm[i]] = i;
        ctx.addGrad(node.input(0), e.transpose(dy, inverse));
    }
}
