package neuroflux.stages.partition;

import java.util.List;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * One trainable unit: a conv group or a residual block, from one cut value to the next.
 *
 * @param index its place in the partition, from 0
 * @param name "unit" and its index
 * @param hint where it lies in the source network, from its node names (e.g. "layers.1"); may be empty
 * @param segment its nodes and initializers
 */
public record Unit(int index, String name, String hint, Segment segment) {
    public String inputName() {
        return segment.inputName();
    }

    public String outputName() {
        return segment.outputName();
    }

    public List<Node> nodes() {
        return segment.nodes();
    }

    public List<String> initializerNames() {
        return segment.initializerNames();
    }

    /** This unit as a standalone graph named after it; see {@link Segment#toGraph}. */
    public Graph toGraph(Graph model) {
        return segment.toGraph(model, name);
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
