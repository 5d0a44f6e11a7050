package neuroflux.stages.compile.rules;

import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;

/**
 * MaxPool: the forward also outputs the flat positions of the maxima (ONNX's Indices, counted over the whole
 * tensor), and the gradient is scattered to those positions with summation, as overlapping windows may share
 * a maximum.
 */
final class MaxPoolRule implements GradientRule {
    @Override
    public void forward(Node node, GradientContext ctx) {
        if (!ctx.needsGrad(node.input(0))) {
            ctx.keep(node);
            return;
        }
        if (node.intAttr("storage_order", 0) != 0) {
            throw new BadInputException("node " + node.describe() + " has storage_order 1; neuroflux "
                    + "differentiates MaxPool only in row-major order");
        }
        Node copy = node.copy();
        if (copy.outputs().size() < 2 || copy.output(1).isEmpty()) {
            String indices = ctx.emit().fresh(node.output(0) + "/argmax");
            if (copy.outputs().size() < 2) copy.outputs().add(indices);
            else copy.outputs().set(1, indices);
        }
        ctx.keep(copy);
        ctx.save(node, "indices", copy.output(1));
    }

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        Emitter e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        String flatIndices = e.reshape(ctx.saved(node, "indices"), -1);
        String scattered = e.node("ScatterElements", "maxpool_grad", e.zeros(new long[] {Axes.size(xs)}), flatIndices,
                e.reshape(dy, -1)).with("axis", 0).with("reduction", Attribute.of("add")).output(0);
        ctx.addGrad(node.input(0), e.reshape(scattered, xs));
    }
}
