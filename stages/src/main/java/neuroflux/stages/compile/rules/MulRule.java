package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Mul: each operand gets the gradient times the other operand, summed back to its shape. */
final class MulRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        long[] ys = e.shape(node.output(0));
        for (int i = 0; i < 2; i++) {
            String x = node.input(i);
            if (ctx.needsGrad(x)) ctx.addGrad(x, e.reduceTo(e.mul(dy, node.input(1 - i)), ys, e.shape(x)));
        }
    }
}
