package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * The data flow of a one-input, one-output graph: which nodes compute on the input (data nodes) and which only on
 * initializers (constant nodes, such as a Constant or an Identity of an initializer), and the cut values: the
 * values that every path from the input to the output passes through. Cutting there leaves no residual or
 * concatenation across the cut, because no node after a cut value reads anything computed before it but that value.
 *
 * <p>Cut values are found from ancestry rather than from one node order, so a topological order that interleaves
 * two branches hides no cut.
 */
final class DataFlow {
    private final Graph graph;
    private final String input;
    private final String output;
    private final List<Node> dataNodes = new ArrayList<>();
    private final Map<Node, Integer> nodeIndex = new HashMap<>();
    private final Map<String, Node> constantProducers = new HashMap<>();
    private final Map<String, Integer> dataProducer = new HashMap<>();
    private final List<BitSet> ancestors = new ArrayList<>();

    /** Analyses {@code graph}, which must be topologically sorted and hold only nodes that the output needs. */
    DataFlow(Graph graph) {
        this.graph = graph;
        if (graph.inputs().size() != 1) {
            throw new BadInputException("the model has " + graph.inputs().size()
                    + " inputs; neuroflux partitions models with exactly one image input");
        }
        if (graph.outputs().size() != 1) {
            throw new BadInputException("the model has " + graph.outputs().size()
                    + " outputs; neuroflux partitions models with exactly one output (the class scores)");
        }
        this.input = graph.inputs().get(0).name();
        this.output = graph.outputs().get(0).name();
        for (int i = 0; i < graph.nodes().size(); i++) nodeIndex.put(graph.nodes().get(i), i);
        classifyNodes();
        if (!dataProducer.containsKey(output)) {
            throw new BadInputException("the model's output '" + output + "' does not depend on its input '"
                    + input + "'");
        }
        computeAncestors();
    }

    private void classifyNodes() {
        for (Node n : graph.nodes()) {
            boolean constant = true;
            for (String in : n.inputs()) {
                if (in.isEmpty() || graph.isInitializer(in) || constantProducers.containsKey(in)) continue;
                constant = false;
            }
            if (constant) {
                for (String out : n.outputs()) if (!out.isEmpty()) constantProducers.put(out, n);
            } else {
                for (String out : n.outputs()) if (!out.isEmpty()) dataProducer.put(out, dataNodes.size());
                dataNodes.add(n);
            }
        }
    }

    private void computeAncestors() {
        for (int i = 0; i < dataNodes.size(); i++) {
            BitSet a = new BitSet();
            a.set(i);
            for (String in : dataInputs(dataNodes.get(i))) {
                Integer p = dataProducer.get(in);
                if (p != null) a.or(ancestors.get(p));
            }
            ancestors.add(a);
        }
    }

    String input() {
        return input;
    }

    String output() {
        return output;
    }

    Graph graph() {
        return graph;
    }

    List<Node> dataNodes() {
        return dataNodes;
    }

    /** The node that computes a value from initializers alone, or null. */
    Node constantProducer(String value) {
        return constantProducers.get(value);
    }

    /** The data node that writes a value, or null for the input, initializers and constants. */
    Node dataProducer(String value) {
        Integer i = dataProducer.get(value);
        return i == null ? null : dataNodes.get(i);
    }

    /** The distinct inputs of a node that carry data (the graph input or a data node's output). */
    Set<String> dataInputs(Node n) {
        Set<String> out = new LinkedHashSet<>();
        for (String in : n.inputs()) {
            if (in.equals(input) || dataProducer.containsKey(in)) out.add(in);
        }
        return out;
    }

    /**
     * The cut values from the input to the output, both included, in the order the data flows through them.
     * Consecutive cut values bound a piece: a subgraph that reads nothing from outside but its first value.
     */
    List<String> cutValues() {
        List<String> cuts = new ArrayList<>();
        Set<String> consumed = new HashSet<>();
        for (Node n : dataNodes) consumed.addAll(dataInputs(n));
        for (Node n : dataNodes) {
            for (String v : n.outputs()) {
                if ((consumed.contains(v) || v.equals(output)) && isCut(v)) cuts.add(v);
            }
        }
        // ancestry of cut values is nested, so its size orders them along the flow
        cuts.sort(Comparator.comparingInt(v -> ancestors.get(dataProducer.get(v)).cardinality()));
        cuts.addFirst(input);
        return cuts;
    }

    private boolean isCut(String value) {
        BitSet before = ancestors.get(dataProducer.get(value));
        for (int m = before.nextClearBit(0); m < dataNodes.size(); m = before.nextClearBit(m + 1)) {
            for (String in : dataInputs(dataNodes.get(m))) {
                if (in.equals(value)) continue;
                Integer p = dataProducer.get(in);
                if (p == null || before.get(p)) return false;
            }
        }
        return value.equals(output) || !before.get(dataProducer.get(output));
    }

    /** The data nodes that lie between two cut values: those the later one needs and the earlier one does not. */
    List<Node> nodesBetween(String from, String to) {
        BitSet span = (BitSet) ancestors.get(dataProducer.get(to)).clone();
        if (!from.equals(input)) span.andNot(ancestors.get(dataProducer.get(from)));
        List<Node> out = new ArrayList<>();
        span.stream().forEach(i -> out.add(dataNodes.get(i)));
        return out;
    }

    /**
     * Data nodes plus the constant nodes they read, directly or through other constant nodes, in graph order.
     * A constant node that two segments read is in both: it costs nothing and keeps each segment standalone.
     */
    List<Node> withConstants(List<Node> data) {
        Set<Node> all = new HashSet<>(data);
        List<Node> todo = new ArrayList<>(data);
        while (!todo.isEmpty()) {
            Node n = todo.removeLast();
            for (String in : n.inputs()) {
                Node c = constantProducers.get(in);
                if (c != null && all.add(c)) todo.add(c);
            }
        }
        List<Node> ordered = new ArrayList<>(all);
        ordered.sort(Comparator.comparingInt(nodeIndex::get));
        return ordered;
    }
}
