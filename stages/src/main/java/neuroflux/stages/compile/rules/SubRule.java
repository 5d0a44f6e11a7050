package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Sub: the first operand gets the gradient, the second its negation, each summed back to its shape. */
final class SubRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        long[] ys = e.shape(node.output(0));
        if (ctx.needsGrad(node.input(0))) ctx.addGrad(node.input(0), e.reduceTo(dy, ys, e.shape(node.input(0))));
        if (ctx.needsGrad(node.input(1))) {
            ctx.addGrad(node.input(1), e.neg(e.reduceTo(dy, ys, e.shape(node.input(1)))));
        }
    }
}
