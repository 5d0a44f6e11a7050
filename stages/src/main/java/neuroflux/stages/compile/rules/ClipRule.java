package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/**
 * Clip (bounds as inputs, opset 11 on): the gradient passes where the input lies within the bounds, bounds
 * included, as PyTorch's clamp does. That is exactly where the output equals the input, one comparison.
 */
final class ClipRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        if (node.has("min") || node.has("max")) {
            throw new neuroflux.onnx.BadInputException("node " + node.describe() + " uses Clip's attributes of "
                    + "opsets before 11; neuroflux differentiates Clip with its bounds as inputs");
        }
        var e = ctx.emit();
        String inside = e.op("Equal", "clip_inside", node.input(0), node.output(0));
        ctx.addGrad(node.input(0), e.op("Where", "clip_grad", inside, dy, e.scalar(0)));
    }
}
