package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/**
 * Operators that only change the shape (Reshape, Flatten, Squeeze, Unsqueeze): the gradient is the output
 * gradient reshaped back to the input's shape. Only input 0 carries data.
 */
class ReshapeRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        ctx.addGrad(node.input(0), e.reshape(dy, e.shape(node.input(0))));
    }
}
