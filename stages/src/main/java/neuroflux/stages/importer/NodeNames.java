package neuroflux.stages.importer;

import java.util.HashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/** Gives every node a unique name, so that later stages and messages can refer to nodes by name. */
final class NodeNames {
    private NodeNames() {}

    static void makeUnique(Graph g) {
        Set<String> seen = new HashSet<>();
        for (Node n : g.nodes()) {
            if (!n.name().isEmpty() && seen.add(n.name())) continue;
            String base = n.name().isEmpty() ? n.opType() : n.name();
            String name = base;
            for (int i = 1; !seen.add(name); i++) name = base + "_" + i;
            n.setName(name);
        }
    }
}
