package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/**
 * Gemm, Y = alpha * A' B' + beta * C with A' = A or its transpose, B' likewise. Each operand's gradient is itself
 * one Gemm with the transposition flags arranged so that no Transpose node is needed.
 */
final class GemmRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        float alpha = node.floatAttr("alpha", 1f);
        float beta = node.floatAttr("beta", 1f);
        long transA = node.intAttr("transA", 0);
        long transB = node.intAttr("transB", 0);
        String a = node.input(0);
        String b = node.input(1);
        if (ctx.needsGrad(a)) {
            Node g = transA == 0 ? e.node("Gemm", "gemm_da", dy, b).with("transB", 1 - transB)
                    : e.node("Gemm", "gemm_da", b, dy).with("transA", transB).with("transB", 1);
            if (alpha != 1f) g.with("alpha", alpha);
            ctx.addGrad(a, g.output(0));
        }
        if (ctx.needsGrad(b)) {
            Node g = transB == 0 ? e.node("Gemm", "gemm_db", a, dy).with("transA", 1 - transA)
                    : e.node("Gemm", "gemm_db", dy, a).with("transA", 1).with("transB", transA);
            if (alpha != 1f) g.with("alpha", alpha);
            ctx.addGrad(b, g.output(0));
        }
        if (node.hasInput(2) && ctx.needsGrad(node.input(2))) {
            String c = node.input(2);
            String g = e.reduceTo(dy, e.shape(node.output(0)), e.shape(c));
            if (beta != 1f) g = e.mul(g, e.scalar(beta));
            ctx.addGrad(c, g);
        }
    }
}
