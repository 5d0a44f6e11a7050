package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/**
 * Evaluates one operator on constant inputs, for folding shape arithmetic. {@code inputs} is aligned with the
 * node's inputs (null where an optional input is absent or, for Shape, not constant); {@code outputs} holds the
 * outputs' inferred types and shapes, which the results must have.
 */
@FunctionalInterface
public interface ConstantOp {
    List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx);
}
