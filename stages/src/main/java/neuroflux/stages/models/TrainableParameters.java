package neuroflux.stages.models;

import java.util.LinkedHashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * The parameters of a graph in PyTorch's sense, what {@code model.parameters()} counts: floating-point
 * initializers, less batch-norm running statistics, which are buffers that gradient descent does not train.
 */
public final class TrainableParameters {
    private TrainableParameters() {}

    public static Set<String> names(Graph g) {
        Set<String> statistics = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                statistics.add(n.input(3));
                statistics.add(n.input(4));
            }
        }
        Set<String> names = new LinkedHashSet<>();
        g.initializers().forEach((name, t) -> {
            if (t.type().isFloating() && !statistics.contains(name)) names.add(name);
        });
        return names;
    }

    /** The number of trainable values, comparable with sum(p.numel() for p in model.parameters()). */
    public static long count(Graph g) {
        long n = 0;
        for (String name : names(g)) {
            Tensor t = g.initializers().get(name);
            n += t.size();
        }
        return n;
    }
}
