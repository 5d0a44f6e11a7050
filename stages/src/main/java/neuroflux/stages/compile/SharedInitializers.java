package neuroflux.stages.compile;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * Unties initializers that an exporter stored once and recreated with Identity nodes: each Identity output of an
 * initializer becomes an initializer of its own holding the same value, so that the parameters train separately,
 * as they did in the source model. (A stopgap until the importer does this for every stage.)
 */
public final class SharedInitializers {
    private SharedInitializers() {}

    /** Returns the number of initializers created. */
    public static int untie(Graph g) {
        List<Node> copies = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("Identity") && n.domain().isEmpty() && g.isInitializer(n.input(0))
                    && !g.isInitializer(n.output(0))) {
                copies.add(n);
            }
        }
        for (Node n : copies) {
            g.addInitializer(n.output(0), g.initializers().get(n.input(0)));
            g.nodes().remove(n);
        }
        return copies.size();
    }
}
