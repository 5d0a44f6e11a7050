package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/**
 * The rule of every operator whose single output has its first input's type and shape: Relu, Sigmoid, Tanh,
 * Sqrt, Neg, Exp, Log, Abs, Reciprocal, Clip, Identity, Softmax, LogSoftmax, ScatterElements, ScatterND.
 */
public final class SameShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), ctx.shape(node, 0)));
    }
}
