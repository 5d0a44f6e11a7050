package neuroflux.stages.compile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.stages.compile.rules.GradientContext;
import neuroflux.stages.compile.rules.GradientRule;
import neuroflux.stages.compile.rules.GradientRules;

/**
 * Reverse-mode differentiation of an ONNX graph, in place. Use in three steps: construct it over a graph whose
 * shapes are all known, {@link #rewriteForward()} (training behaviour of the operators), seed the gradients of
 * the values the objective is computed from with {@link #addGrad}, then {@link #backward} for the gradients of
 * the wanted values.
 *
 * <p>Only what is needed is computed: a value gets a gradient when it depends on one of the {@code wrt} values
 * without passing through a detached value, and one of the seeded values depends on it.
 */
public final class Differentiator implements GradientContext {
    private final Graph graph;
    private final Emitter emitter;
    private final List<Node> forwardNodes;
    private final Set<String> needed;
    private final boolean training;
    private final Map<String, List<String>> contributions = new HashMap<>();
    private final Map<String, String> finished = new HashMap<>();
    private final Map<Node, Map<String, String>> savedValues = new HashMap<>();
    private final Map<String, String> stateUpdates = new LinkedHashMap<>();
    private final Map<String, neuroflux.onnx.Tensor> constantNodes = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private boolean rewritten;
    private Rounding rounding = Rounding.NATIVE;

    /**
     * @param graph    the graph to extend; its nodes must be in topological order and every value's shape known
     * @param wrt      values to differentiate with respect to (parameters, or inputs in tests)
     * @param detached values through which no gradient flows
     * @param seeds    values whose gradients will be seeded (the logits of the losses)
     * @param training whether operators take their training behaviour
     */
    public Differentiator(Graph graph, Set<String> wrt, Set<String> detached, Collection<String> seeds,
                          boolean training) {
        this.graph = graph;
        this.training = training;
        this.emitter = new Emitter(graph, modelType(graph, wrt));
        this.forwardNodes = List.copyOf(graph.nodes());
        this.needed = neededValues(wrt, detached, seeds);
        for (Node n : forwardNodes) {
            for (String o : n.outputs()) if (!o.isEmpty()) producers.put(o, n);
            for (String i : n.inputs()) if (!i.isEmpty()) readers.merge(i, 1, Integer::sum);
        }
    }

    private static DataType modelType(Graph g, Set<String> wrt) {
        for (String v : wrt) {
            DataType t = g.typeOf(v);
            if (t != null && t.isFloating()) return t;
        }
        for (var t : g.initializers().values()) if (t.type().isFloating()) return t.type();
        return DataType.FLOAT;
    }

    private Set<String> neededValues(Set<String> wrt, Set<String> detached, Collection<String> seeds) {
        Set<String> depends = new HashSet<>();
        for (String w : wrt) if (!detached.contains(w)) depends.add(w);
        for (Node n : forwardNodes) {
            if (n.inputs().stream().anyMatch(depends::contains)) {
                for (String o : n.outputs()) if (!o.isEmpty() && !detached.contains(o) && isFloating(o)) depends.add(o);
            }
        }
        Set<String> reaches = new HashSet<>(seeds);
        for (int i = forwardNodes.size() - 1; i >= 0; i--) {
            Node n = forwardNodes.get(i);
            if (n.outputs().stream().anyMatch(reaches::contains)) reaches.addAll(n.inputs());
        }
        depends.retainAll(reaches);
        return depends;
    }

    private boolean isFloating(String value) {
        DataType t = graph.typeOf(value);
        return t == null || t.isFloating();
    }

    public Emitter emitter() {
        return emitter;
    }

    /** Chooses how the float32 forward rounds its sums; before {@link #rewriteForward()}. */
    public Differentiator rounding(Rounding r) {
        if (rewritten) throw new IllegalStateException("the forward graph is already rewritten");
        this.rounding = r;
        return this;
    }

    /** Replaces the forward nodes with their training-step form. */
    public void rewriteForward() {
        if (rewritten) throw new IllegalStateException("the forward graph is already rewritten");
        rewritten = true;
        for (Node n : forwardNodes) {
            if (n.opType().equals("Constant") && n.domain().isEmpty() && n.tensorAttr("value") != null) {
                constantNodes.put(n.output(0), n.tensorAttr("value"));
            }
        }
        graph.nodes().clear();
        for (Node n : forwardNodes) {
            GradientRule rule = GradientRules.forOp(n.opType());
            if (rule == null || !n.domain().isEmpty()) keep(n);
            else rule.forward(n, this);
        }
    }

    /**
     * Emits the backward pass and returns the gradient of each {@code wrt} value that one exists for (a value
     * that no seeded value depends on has none).
     */
    public Map<String, String> backward(Collection<String> wrt) {
        if (!rewritten) throw new IllegalStateException("rewriteForward() must run first");
        for (int i = forwardNodes.size() - 1; i >= 0; i--) {
            Node n = forwardNodes.get(i);
            boolean anyOutGrad = n.outputs().stream().anyMatch(contributions::containsKey);
            boolean anyInNeeded = n.inputs().stream().anyMatch(needed::contains);
            if (!anyOutGrad || !anyInNeeded) continue;
            GradientRule rule = n.domain().isEmpty() ? GradientRules.forOp(n.opType()) : null;
            if (rule == null) {
                throw new BadInputException("node " + n.describe() + " lies on the gradient path, and neuroflux "
                        + "cannot differentiate operator " + n.opType() + (n.domain().isEmpty() ? "" : " of domain "
                        + n.domain()));
            }
            rule.backward(n, this);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : wrt) {
            String g = gradOf(w);
            if (g != null) out.put(w, g);
        }
        return out;
    }

    /** The running statistics (and other state) the training forward updates: state name to updated value. */
    public Map<String, String> stateUpdates() {
        return stateUpdates;
    }

    private String gradOf(String value) {
        String done = finished.get(value);
        if (done != null) return done;
        List<String> terms = contributions.get(value);
        if (terms == null) return null;
        String g = emitter.sum(terms);
        finished.put(value, g);
        return g;
    }

    @Override
    public neuroflux.onnx.Tensor constant(String value) {
        if (value.isEmpty()) return null;
        neuroflux.onnx.Tensor t = graph.initializers().get(value);
        return t != null ? t : constantNodes.get(value);
    }

    @Override
    public Emitter emit() {
        return emitter;
    }

    @Override
    public void keep(Node node) {
        graph.add(node);
    }

    @Override
    public Node producer(String value) {
        return producers.get(value);
    }

    @Override
    public int readers(String value) {
        return readers.getOrDefault(value, 0);
    }

    @Override
    public boolean needsGrad(String value) {
        return needed.contains(value);
    }

    @Override
    public String gradOfOutput(Node node, int i) {
        if (i >= node.outputs().size() || node.output(i).isEmpty()) return null;
        return gradOf(node.output(i));
    }

    @Override
    public void addGrad(String value, String grad) {
        if (!needed.contains(value)) return;
        if (finished.containsKey(value)) {
            throw new IllegalStateException("a gradient reached '" + value + "' after it was summed");
        }
        contributions.computeIfAbsent(value, k -> new ArrayList<>()).add(grad);
    }

    @Override
    public void save(Node node, String key, String value) {
        savedValues.computeIfAbsent(node, k -> new HashMap<>()).put(key, value);
    }

    @Override
    public String saved(Node node, String key) {
        Map<String, String> m = savedValues.get(node);
        String v = m == null ? null : m.get(key);
        if (v == null) throw new IllegalStateException("node " + node.describe() + " saved no '" + key + "'");
        return v;
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public Rounding rounding() {
        return rounding;
    }

    @Override
    public void addStateUpdate(String state, String next) {
        stateUpdates.put(state, next);
    }
}
