package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Sigmoid: dx = dy * y * (1 - y). */
final class SigmoidRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        String y = node.output(0);
        ctx.addGrad(node.input(0), e.mul(e.mul(dy, y), e.sub(e.scalar(1), y)));
    }
}
