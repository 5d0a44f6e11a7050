package neuroflux.stages.partition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * Counts trainable values the way a user counts a network's parameters: floating-point initializers that a
 * segment reads, directly or through constant nodes such as the exporter's Identity copies, except batch-norm
 * running statistics (state, not trained) and scalars (bounds such as a Clip's, not weights). Each initializer
 * counts once per segment.
 */
final class Parameters {
    private static final int BN_MEAN = 3;
    private static final int BN_VAR = 4;

    private Parameters() {}

    static long count(Segment segment, Graph model) {
        Map<String, Node> producers = new HashMap<>();
        for (Node n : segment.nodes()) for (String o : n.outputs()) producers.put(o, n);
        Set<String> trained = new LinkedHashSet<>();
        for (Node n : segment.nodes()) {
            if (isConstant(n, producers, model)) continue; // its initializers count where its output is used
            for (int i = 0; i < n.inputs().size(); i++) {
                boolean statistic = n.opType().equals("BatchNormalization") && (i == BN_MEAN || i == BN_VAR);
                if (!statistic) initializersBehind(n.input(i), producers, model, new HashSet<>(), trained);
            }
        }
        long total = 0;
        for (String name : trained) {
            Tensor t = model.initializers().get(name);
            if (t.type().isFloating() && t.rank() > 0) total += t.size();
        }
        return total;
    }

    /** Collects the initializers a value is, or is computed from without reading data. */
    private static void initializersBehind(String value, Map<String, Node> producers, Graph model,
                                           Set<String> visited, Set<String> into) {
        if (value.isEmpty() || !visited.add(value)) return;
        if (model.isInitializer(value)) {
            into.add(value);
            return;
        }
        Node p = producers.get(value);
        if (p == null || !isConstant(p, producers, model)) return;
        for (String in : p.inputs()) initializersBehind(in, producers, model, visited, into);
    }

    private static boolean isConstant(Node n, Map<String, Node> producers, Graph model) {
        for (String in : n.inputs()) {
            if (in.isEmpty() || model.isInitializer(in)) continue;
            Node p = producers.get(in);
            if (p == null || !isConstant(p, producers, model)) return false;
        }
        return true;
    }
}
