package neuroflux.stages.importer;

import java.util.HashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.shapes.ops.ConstantShape;

/** Turns Constant nodes into initializers, so that every constant of the graph lives in one place. */
final class ConstantsToInitializers {
    private ConstantsToInitializers() {}

    static void apply(Graph g) {
        Set<String> outputs = new HashSet<>(g.outputNames());
        g.nodes().removeIf(n -> {
            if (!n.opType().equals("Constant") || outputs.contains(n.output(0))) return false;
            g.addInitializer(n.output(0), ConstantShape.value(n));
            return true;
        });
    }
}
