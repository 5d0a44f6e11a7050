package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Relu: the gradient passes where the output is positive. Sign of the output is that 0/1 mask in one op. */
final class ReluRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        ctx.addGrad(node.input(0), e.mul(dy, e.op("Sign", "relu_mask", node.output(0))));
    }
}
