package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** ReduceMean: the gradient, divided by the number of reduced elements, is broadcast back over them. */
class ReduceMeanRule implements GradientRule {
    /** Whether the reduction averages (ReduceMean) or sums (ReduceSum). */
    boolean averages() {
        return true;
    }

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        int rank = xs.length;
        long[] axes = node.intsAttr("axes", null);
        if (axes == null && node.hasInput(1)) {
            var t = ctx.constant(node.input(1));
            if (t == null) {
                throw new neuroflux.onnx.BadInputException("node " + node.describe()
                        + " reduces over computed axes; neuroflux differentiates it only with constant axes");
            }
            axes = t.longs();
        }
        boolean noop = node.intAttr("noop_with_empty_axes", 0) == 1;
        if (axes == null || axes.length == 0) {
            if (noop) {
                ctx.addGrad(node.input(0), dy);
                return;
            }
            axes = new long[rank];
            for (int i = 0; i < rank; i++) axes[i] = i;
        }
        long[] kept = xs.clone();
        long count = 1;
        for (long a : axes) {
            int ax = Axes.normalize(a, rank);
            count *= xs[ax];
            kept[ax] = 1;
        }
        String g = e.reshape(dy, kept);
        if (averages()) g = e.mul(g, e.scalar(1.0 / count));
        ctx.addGrad(node.input(0), e.expand(g, xs));
    }
}
