package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** GlobalAveragePool: the gradient, divided by the spatial size, is broadcast back over every position. */
final class GlobalAveragePoolRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        long spatial = 1;
        for (int i = 2; i < xs.length; i++) spatial *= xs[i];
        ctx.addGrad(node.input(0), e.expand(e.mul(dy, e.scalar(1.0 / spatial)), xs));
    }
}
