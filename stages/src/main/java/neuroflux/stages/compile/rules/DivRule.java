package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Div: da = dy / b, db = -dy * y / b, each summed back to its operand's shape. */
final class DivRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        long[] ys = e.shape(node.output(0));
        String a = node.input(0);
        String b = node.input(1);
        String dyOverB = e.op("Div", "div", dy, b);
        if (ctx.needsGrad(a)) ctx.addGrad(a, e.reduceTo(dyOverB, ys, e.shape(a)));
        if (ctx.needsGrad(b)) ctx.addGrad(b, e.neg(e.reduceTo(e.mul(dyOverB, node.output(0)), ys, e.shape(b))));
    }
}
