package neuroflux.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph the stages work on: nodes in execution order, initializers (parameters and constants), the graph's
 * inputs and outputs, and what is known of every value's type and shape. It is mutable on purpose: the importer
 * normalises it, the partitioner cuts it, the heads stage adds to it, the compiler extends it into a training step.
 */
public final class Graph {
    /** The default-domain opset neuroflux writes; graphs it reads may use 11 to 22. */
    public static final int OPSET = 17;

    private String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Map<String, ValueInfo> valueInfo = new LinkedHashMap<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private int nameCounter;

    public Graph(String name) {
        this.name = name;
        opsets.put("", (long) OPSET);
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Tensor> initializers() {
        return initializers;
    }

    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    /** Known types and shapes of values, inputs and outputs included once inferred. */
    public Map<String, ValueInfo> valueInfo() {
        return valueInfo;
    }

    /** Opset version per operator domain ("" is the default ONNX domain). */
    public Map<String, Long> opsets() {
        return opsets;
    }

    public long opsetVersion() {
        return opsets.getOrDefault("", (long) OPSET);
    }

    public Node add(Node node) {
        nodes.add(node);
        return node;
    }

    /** Adds a node with a generated name and returns its first output's name. */
    public String op(String opType, List<String> ins, String out) {
        add(new Node(opType, uniqueName(opType), ins, List.of(out)));
        return out;
    }

    public void addInitializer(String valueName, Tensor value) {
        initializers.put(valueName, value);
    }

    public boolean isInitializer(String valueName) {
        return initializers.containsKey(valueName);
    }

    public ValueInfo info(String valueName) {
        return valueInfo.get(valueName);
    }

    /** The shape of a value as far as it is known, or null. Initializers always know theirs. */
    public long[] shapeOf(String valueName) {
        Tensor t = initializers.get(valueName);
        if (t != null) return t.shape();
        ValueInfo v = valueInfo.get(valueName);
        return v == null ? null : v.shape();
    }

    public DataType typeOf(String valueName) {
        Tensor t = initializers.get(valueName);
        if (t != null) return t.type();
        ValueInfo v = valueInfo.get(valueName);
        return v == null ? null : v.type();
    }

    /**
     * A value or node name not used in this graph yet, starting with the given prefix. It looks at every name of
     * the graph, so a pass that needs many names should take {@link #usedNames} once and extend it itself.
     */
    public String uniqueName(String prefix) {
        Set<String> used = usedNames();
        String candidate;
        do {
            candidate = prefix + "_" + (nameCounter++);
        } while (used.contains(candidate));
        return candidate;
    }

    /** Every value and node name of the graph, in a new set the caller may change. */
    public Set<String> usedNames() {
        Set<String> used = new HashSet<>(initializers.keySet());
        used.addAll(valueInfo.keySet());
        for (ValueInfo v : inputs) used.add(v.name());
        for (Node n : nodes) {
            used.add(n.name());
            used.addAll(n.outputs());
        }
        return used;
    }

    /** The node that writes each value. */
    public Map<String, Node> producers() {
        Map<String, Node> m = new HashMap<>();
        for (Node n : nodes) for (String o : n.outputs()) if (!o.isEmpty()) m.put(o, n);
        return m;
    }

    /** The nodes that read each value, in node order. */
    public Map<String, List<Node>> consumers() {
        Map<String, List<Node>> m = new HashMap<>();
        for (Node n : nodes) {
            for (String i : n.inputs()) if (!i.isEmpty()) m.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
        return m;
    }

    public List<String> inputNames() {
        return inputs.stream().map(ValueInfo::name).toList();
    }

    public List<String> outputNames() {
        return outputs.stream().map(ValueInfo::name).toList();
    }

    /**
     * Puts the nodes in a topological order, keeping the given order where it already is one (Kahn's algorithm
     * taking the earliest ready node), and fails naming a node on a cycle or one that reads a value nobody writes.
     */
    public void sortTopologically() {
        Map<String, Node> producer = producers();
        Set<String> available = new HashSet<>(initializers.keySet());
        available.addAll(inputNames());
        Map<Node, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) index.put(nodes.get(i), i);
        Map<Node, Integer> missing = new HashMap<>();
        Map<String, List<Node>> waiting = new HashMap<>();
        java.util.PriorityQueue<Node> ready = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingInt(index::get));
        for (Node n : nodes) {
            int count = 0;
            for (String in : new LinkedHashSetOf(n.inputs())) {
                if (in.isEmpty() || available.contains(in)) continue;
                if (!producer.containsKey(in)) {
                    throw new BadInputException("node " + n.describe() + " reads '" + in
                            + "', which is neither a graph input, an initializer nor the output of any node");
                }
                count++;
                waiting.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            missing.put(n, count);
            if (count == 0) ready.add(n);
        }
        List<Node> order = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (String o : n.outputs()) {
                for (Node w : waiting.getOrDefault(o, List.of())) {
                    if (missing.merge(w, -1, Integer::sum) == 0) ready.add(w);
                }
            }
        }
        if (order.size() != nodes.size()) {
            Node stuck = nodes.stream().filter(n -> missing.get(n) > 0).findFirst().orElseThrow();
            throw new BadInputException("the graph has a cycle through node " + stuck.describe());
        }
        nodes.clear();
        nodes.addAll(order);
    }

    /** The distinct names of a list, in order: a node may read the same value twice. */
    private static final class LinkedHashSetOf extends java.util.LinkedHashSet<String> {
        LinkedHashSetOf(List<String> items) {
            super(items);
        }
    }

    /** Removes the nodes and initializers that no graph output depends on. */
    public void removeUnusedNodes() {
        Set<String> needed = new HashSet<>(outputNames());
        Deque<Node> keep = new ArrayDeque<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(needed::contains)) {
                keep.addFirst(n);
                needed.addAll(n.inputs());
            }
        }
        nodes.clear();
        nodes.addAll(keep);
        initializers.keySet().removeIf(k -> !needed.contains(k));
    }

    /** The number of floating-point parameters held in initializers. */
    public long parameterCount() {
        return initializers.values().stream().filter(t -> t.type().isFloating()).mapToLong(Tensor::size).sum();
    }

    /** A deep copy of the structure; tensors are immutable and shared. */
    public Graph copy() {
        Graph g = new Graph(name);
        for (Node n : nodes) g.nodes.add(n.copy());
        g.initializers.putAll(initializers);
        g.inputs.addAll(inputs);
        g.outputs.addAll(outputs);
        g.valueInfo.putAll(valueInfo);
        g.opsets.clear();
        g.opsets.putAll(opsets);
        g.nameCounter = nameCounter;
        return g;
    }
}
