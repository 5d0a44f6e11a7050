package neuroflux.stages.compile;

import java.util.LinkedHashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * The parameters a CNN trains, as PyTorch has them: the weights and biases of Conv, Gemm and MatMul, and the
 * scale and bias of BatchNormalization (its running statistics are state, not parameters).
 */
public final class TrainableParameters {
    private TrainableParameters() {}

    public static Set<String> of(Graph g) {
        Set<String> found = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            switch (n.opType()) {
                case "Conv", "Gemm" -> addIfFloatInitializer(g, n, found, 1, 2);
                case "MatMul" -> addIfFloatInitializer(g, n, found, 0, 1);
                case "BatchNormalization" -> addIfFloatInitializer(g, n, found, 1, 2);
                default -> { }
            }
        }
        return found;
    }

    private static void addIfFloatInitializer(Graph g, Node n, Set<String> found, int... inputs) {
        for (int i : inputs) {
            if (!n.hasInput(i)) continue;
            var t = g.initializers().get(n.input(i));
            if (t != null && t.type().isFloating()) found.add(n.input(i));
        }
    }
}
