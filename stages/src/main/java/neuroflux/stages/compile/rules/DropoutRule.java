package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.stages.compile.Emitter;

/**
 * Dropout: identity outside training and for ratio 0; in training with a positive ratio the forward runs in
 * training mode and outputs its mask, and the gradient passes through the mask scaled by 1 / (1 - ratio).
 */
final class DropoutRule implements GradientRule {
    @Override
    public void forward(Node node, GradientContext ctx) {
        double ratio = ratio(node, ctx);
        if (!ctx.training() || ratio == 0) {
            ctx.keep(node);
            return;
        }
        Emitter e = ctx.emit();
        Node copy = node.copy();
        copy.inputs().clear();
        copy.inputs().add(node.input(0));
        copy.inputs().add(node.hasInput(1) ? node.input(1) : e.scalar(ratio));
        copy.inputs().add(e.constant("training", new Tensor(neuroflux.onnx.DataType.BOOL, new long[0],
                java.nio.ByteBuffer.wrap(new byte[] {1}))));
        if (copy.outputs().size() < 2 || copy.output(1).isEmpty()) {
            String mask = e.fresh(node.output(0) + "/mask");
            if (copy.outputs().size() < 2) copy.outputs().add(mask);
            else copy.outputs().set(1, mask);
        }
        ctx.keep(copy);
        ctx.save(node, "mask", copy.output(1));
    }

    private static double ratio(Node node, GradientContext ctx) {
        if (!node.hasInput(1)) return 0.5;
        Tensor t = ctx.constant(node.input(1));
        if (t == null) {
            throw new neuroflux.onnx.BadInputException("node " + node.describe() + " has a computed ratio; "
                    + "neuroflux trains Dropout only with a constant ratio");
        }
        return t.doubles()[0];
    }

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        double ratio = ratio(node, ctx);
        if (!ctx.training() || ratio == 0) {
            ctx.addGrad(node.input(0), dy);
            return;
        }
        Emitter e = ctx.emit();
        String mask = e.node("Cast", "dropout_mask", ctx.saved(node, "mask")).with("to", e.dtype().code).output(0);
        ctx.addGrad(node.input(0), e.mul(e.mul(dy, mask), e.scalar(1.0 / (1.0 - ratio))));
    }
}
