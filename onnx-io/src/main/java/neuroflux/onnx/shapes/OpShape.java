package neuroflux.onnx.shapes;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;

/**
 * The shape rule of one operator: the type and shape of each output of a node from what is known of its inputs.
 * The returned list is aligned with {@code node.outputs()}; entries for absent optional outputs (empty names) are
 * ignored, and may be null.
 */
@FunctionalInterface
public interface OpShape {
    List<ValueInfo> infer(Node node, InferenceContext ctx);
}
