package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Relu: the gradient passes where the output is positive (at 0 it stops, as in PyTorch). */
final class ReluRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        String positive = e.op("Greater", "relu_mask", node.output(0), e.scalar(0));
        ctx.addGrad(node.input(0), e.op("Where", "relu_grad", positive, dy, e.scalar(0)));
    }
}
