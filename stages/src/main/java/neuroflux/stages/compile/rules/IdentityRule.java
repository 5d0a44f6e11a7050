package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Identity: the gradient passes unchanged. */
final class IdentityRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy != null && ctx.needsGrad(node.input(0))) ctx.addGrad(node.input(0), dy);
    }
}
