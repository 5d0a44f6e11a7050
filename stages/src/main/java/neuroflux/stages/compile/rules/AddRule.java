package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Add: each operand gets the gradient, summed back over the axes it was broadcast along. */
final class AddRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        long[] ys = e.shape(node.output(0));
        for (int i = 0; i < 2; i++) {
            String x = node.input(i);
            if (ctx.needsGrad(x)) ctx.addGrad(x, e.reduceTo(dy, ys, e.shape(x)));
        }
    }
}
