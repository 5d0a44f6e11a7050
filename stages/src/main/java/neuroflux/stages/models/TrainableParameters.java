package neuroflux.stages.models;

import java.util.LinkedHashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;

/**
 * The parameters of a graph in PyTorch's sense, what {@code model.parameters()} counts, in initializer order. The
 * definition is the compiler's ({@link neuroflux.stages.compile.TrainableParameters}): what neuroflux counts is
 * exactly what it trains.
 */
public final class TrainableParameters {
    private TrainableParameters() {}

    public static Set<String> names(Graph g) {
        Set<String> trained = neuroflux.stages.compile.TrainableParameters.of(g);
        Set<String> names = new LinkedHashSet<>();
        for (String name : g.initializers().keySet()) if (trained.contains(name)) names.add(name);
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
