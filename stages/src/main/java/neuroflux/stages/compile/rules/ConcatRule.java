package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Concat: the gradient is split along the axis into the inputs' extents. */
final class ConcatRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        int rank = e.shape(node.output(0)).length;
        int axis = Axes.normalize(node.intAttr("axis", 0), rank);
        int n = node.inputs().size();
        long[] sizes = new long[n];
        for (int i = 0; i < n; i++) sizes[i] = e.shape(node.input(i))[axis];
        Node split = e.nodeN("Split", "concat_grad", n, dy, e.ints(sizes)).with("axis", axis);
        for (int i = 0; i < n; i++) {
            if (ctx.needsGrad(node.input(i))) ctx.addGrad(node.input(i), split.output(i));
        }
    }
}
