package neuroflux.stages.importer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/** Gives every node a unique name, so that later stages and messages can refer to nodes by name. */
final class NodeNames {
    private NodeNames() {}

    static void makeUnique(Graph g) {
        Set<String> seen = new HashSet<>();
        // the next suffix to try per base name: starting from 1 each time made 20,000 equal names quadratic
        Map<String, Integer> nextSuffix = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!n.name().isEmpty() && seen.add(n.name())) continue;
            String base = n.name().isEmpty() ? n.opType() : n.name();
            String name = base;
            int i = nextSuffix.getOrDefault(base, 1);
            while (!seen.add(name)) name = base + "_" + i++;
            nextSuffix.put(base, i);
            n.setName(name);
        }
    }
}
