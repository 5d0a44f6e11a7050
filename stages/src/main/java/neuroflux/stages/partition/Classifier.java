package neuroflux.stages.partition;

import java.util.List;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * The model's own classifier: everything after its last feature map, typically global pooling, flattening and a
 * fully connected layer.
 *
 * @param hint where it lies in the source network, from its node names; may be empty
 * @param segment its nodes and initializers
 */
public record Classifier(String hint, Segment segment) {
    public static final String NAME = "classifier";

    public String inputName() {
        return segment.inputName();
    }

    public String outputName() {
        return segment.outputName();
    }

    public List<Node> nodes() {
        return segment.nodes();
    }

    public Graph toGraph(Graph model) {
        return segment.toGraph(model, NAME);
    }

    public List<String> operators() {
        return segment.operators();
    }

    public long parameterCount(Graph model) {
        return segment.parameterCount(model);
    }

    public long[] outputShape(Graph model) {
        return segment.outputShape(model);
    }
}
