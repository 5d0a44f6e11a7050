package neuroflux.stages.importer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;

/**
 * New value names for a pass that adds many of them. {@link Graph#uniqueName} scans the whole graph for each name,
 * which made the importer quadratic in a graph's size: a hostile model of 20,000 nodes took minutes. This takes
 * the graph's names once and keeps a counter per prefix.
 */
final class FreshNames {
    private final Set<String> used;
    private final Map<String, Integer> next = new HashMap<>();

    FreshNames(Graph g) {
        this.used = g.usedNames();
    }

    /** {@code prefix_K} for the smallest K tried so far that no value, node or earlier name uses. */
    String next(String prefix) {
        int k = next.getOrDefault(prefix, 0);
        String candidate;
        do {
            candidate = prefix + "_" + k++;
        } while (!used.add(candidate));
        next.put(prefix, k);
        return candidate;
    }
}
