package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/** Split: the outputs' gradients are concatenated back, zeros standing in for outputs no loss depends on. */
final class SplitRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        if (!ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        int rank = e.shape(node.input(0)).length;
        int axis = Axes.normalize(node.intAttr("axis", 0), rank);
        String[] parts = new String[node.outputs().size()];
        for (int i = 0; i < parts.length; i++) {
            String g = ctx.gradOfOutput(node, i);
            parts[i] = g != null ? g : e.zeros(e.shape(node.output(i)));
        }
        ctx.addGrad(node.input(0), e.node("Concat", "split_grad", parts).with("axis", axis).output(0));
    }
}
