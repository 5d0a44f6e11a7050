package neuroflux.stages.partition;

import java.util.List;
import neuroflux.onnx.Node;

/** The data nodes between two consecutive cut values: the smallest parts a model can be cut into. */
record Piece(String input, String output, List<Node> dataNodes) {
    Piece {
        dataNodes = List.copyOf(dataNodes);
    }

    boolean contains(java.util.Set<String> opTypes) {
        return dataNodes.stream().anyMatch(n -> opTypes.contains(n.opType()));
    }
}
