package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;

/**
 * How one operator takes part in a training step: optionally how its forward node changes for training, and
 * how the gradients of its inputs follow from the gradients of its outputs (a vector-Jacobian product written
 * as ONNX nodes).
 */
public interface GradientRule {
    /**
     * Writes the node's forward computation into the step graph. The default keeps the node as it is; rules
     * whose operator behaves differently in training (batch statistics, dropout) or whose backward needs
     * something the forward knows (the positions of maxima) rewrite it here and save what backward needs.
     */
    default void forward(Node node, GradientContext ctx) {
        ctx.keep(node);
    }

    /**
     * Emits the gradients of the node's inputs that {@link GradientContext#needsGrad} asks for, given the
     * gradients of its outputs, and hands each to {@link GradientContext#addGrad}.
     */
    void backward(Node node, GradientContext ctx);
}
