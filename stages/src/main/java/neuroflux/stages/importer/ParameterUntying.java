package neuroflux.stages.importer;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * Gives every parameter of the source model its own initializer. PyTorch's exporter stores equal initializers
 * once and recreates the others with Identity nodes (every fresh batch-norm scale is all ones, say); training
 * them through one shared initializer would tie layers that are separate in the source model. So each Identity
 * of an initializer becomes an initializer of its own (a copy of the value, under the Identity's output name),
 * and an initializer read directly by several parameter slots gets one copy per extra slot. Tensors are
 * immutable, so a copy shares the bytes until a trainer writes new values.
 */
final class ParameterUntying {
    /** The inputs of each operator that hold trainable parameters or batch-norm statistics. */
    private static final Map<String, List<Integer>> PARAMETER_SLOTS = Map.of(
            "Conv", List.of(1, 2),
            "ConvTranspose", List.of(1, 2),
            "Gemm", List.of(1, 2),
            "MatMul", List.of(0, 1),
            "BatchNormalization", List.of(1, 2, 3, 4));

    private ParameterUntying() {}

    /** Expects the nodes in topological order, so that chains of Identity nodes resolve front to back. */
    static void apply(Graph g) {
        Set<String> outputs = new HashSet<>(g.outputNames());
        g.nodes().removeIf(n -> {
            if (!n.opType().equals("Identity") || !g.isInitializer(n.input(0)) || outputs.contains(n.output(0))) {
                return false;
            }
            g.addInitializer(n.output(0), g.initializers().get(n.input(0)));
            return true;
        });
        dropUnread(g);
        Set<String> claimed = new HashSet<>();
        FreshNames names = new FreshNames(g);
        for (Node n : g.nodes()) {
            for (int slot : PARAMETER_SLOTS.getOrDefault(n.opType(), List.of())) {
                String name = n.input(slot);
                Tensor t = g.initializers().get(name);
                if (t == null || !t.type().isFloating()) continue;
                if (!claimed.add(name)) {
                    String copy = names.next(name);
                    g.addInitializer(copy, t);
                    n.inputs().set(slot, copy);
                    claimed.add(copy);
                }
            }
        }
    }

    /** Initializers that only removed Identity nodes read (the shared originals, often) are no longer needed. */
    private static void dropUnread(Graph g) {
        Set<String> read = new HashSet<>(g.outputNames());
        for (Node n : g.nodes()) read.addAll(n.inputs());
        g.initializers().keySet().retainAll(read);
    }
}
