package neuroflux.stages.importer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.ShapeInference;
import neuroflux.onnx.shapes.ops.ReshapeShape;

/**
 * Folds a graph's shape arithmetic so that the result still works at any batch size. The graph is inferred at
 * two batch sizes; values that fold to the same constant at both do not depend on the batch and become
 * initializers. A Reshape target that differs is rewritten where possible with 0 (copy the input's dimension)
 * or -1 (whatever is left) in the entries that follow the batch, so {@code x.view(x.size(0), -1)} becomes a
 * constant [0, -1]. Other batch-dependent arithmetic stays in the graph and runs at run time.
 */
final class BatchGenericFolding {
    /** Two batch sizes unlikely to equal any other dimension of a model. */
    static final long FIRST_BATCH = 5;
    static final long SECOND_BATCH = 7;

    /** The graph inferred at both batch sizes, and the batch-generic graph with merged shapes. */
    record Result(Graph generic, Graph atFirst, Graph atSecond) {}

    private BatchGenericFolding() {}

    static Result apply(Graph g, String inputName) {
        Graph first = atBatch(g, inputName, FIRST_BATCH);
        Map<String, Tensor> folded1 = ShapeInference.inferAndFold(first);
        Graph second = atBatch(g, inputName, SECOND_BATCH);
        Map<String, Tensor> folded2 = ShapeInference.inferAndFold(second);

        Set<String> same = new HashSet<>();
        for (var e : folded1.entrySet()) {
            Tensor other = folded2.get(e.getKey());
            if (other != null && equal(e.getValue(), other)) same.add(e.getKey());
        }
        Graph result = g.copy();
        Set<String> removedInputs = new HashSet<>();
        result.nodes().removeIf(n -> {
            boolean constant = n.outputs().stream().allMatch(o -> o.isEmpty() || same.contains(o));
            if (!constant) return false;
            for (String o : n.outputs()) if (!o.isEmpty()) result.addInitializer(o, folded1.get(o));
            removedInputs.addAll(n.inputs());
            return true;
        });
        FreshNames names = new FreshNames(result);
        for (Node n : result.nodes()) {
            if (n.opType().equals("Reshape") && !same.contains(n.input(1))
                    && folded1.containsKey(n.input(1)) && folded2.containsKey(n.input(1))) {
                long[] x1 = dataShape(first, folded1, g, n.input(0));
                long[] x2 = dataShape(second, folded2, g, n.input(0));
                long[] target = x1 == null || x2 == null ? null
                        : genericTarget(n, folded1.get(n.input(1)).longs(), folded2.get(n.input(1)).longs(), x1, x2);
                if (target != null) {
                    String name = names.next(n.input(1) + "_any_batch");
                    result.addInitializer(name, Tensor.vector(target));
                    removedInputs.add(n.input(1));
                    n.inputs().set(1, name);
                }
            }
        }
        removeDeadNodes(result, removedInputs);
        Set<String> candidates = new HashSet<>(removedInputs);
        candidates.addAll(folded1.keySet());
        dropUnread(result, candidates);
        mergeShapes(result, first, folded1, second, folded2);
        return new Result(result, first, second);
    }

    static Graph atBatch(Graph g, String inputName, long batch) {
        Graph copy = g.copy();
        for (int i = 0; i < copy.inputs().size(); i++) {
            ValueInfo in = copy.inputs().get(i);
            if (in.name().equals(inputName)) {
                long[] s = in.shape().clone();
                s[0] = batch;
                copy.inputs().set(i, in.withShape(s));
            }
        }
        return copy;
    }

    private static boolean equal(Tensor a, Tensor b) {
        return a.type() == b.type() && Arrays.equals(a.shape(), b.shape()) && a.bytes().equals(b.bytes());
    }

    private static long[] shapeOf(Graph inferred, Map<String, Tensor> folded, String name) {
        long[] s = inferred.shapeOf(name);
        return s != null ? s : folded.get(name).shape();
    }

    /**
     * The shape of a Reshape's data input in an inferred graph. Unlike a node output, the data may be a constant
     * of the source graph that inference dropped because only folded nodes read it (a constant reshaped by a
     * batch-dependent target, say), so the source's initializers are asked too.
     */
    private static long[] dataShape(Graph inferred, Map<String, Tensor> folded, Graph source, String name) {
        long[] s = inferred.shapeOf(name);
        if (s != null) return s;
        Tensor t = folded.containsKey(name) ? folded.get(name) : source.initializers().get(name);
        return t == null ? null : t.shape();
    }

    /**
     * A Reshape target that denotes {@code t1} for input shape {@code x1} and {@code t2} for {@code x2}, built by
     * turning the entries that differ into 0 or -1; null when no such constant target exists.
     */
    static long[] genericTarget(Node reshape, long[] t1, long[] t2, long[] x1, long[] x2) {
        if (t1.length != t2.length) return null;
        boolean allowZero = reshape.intAttr("allowzero", 0) != 0;
        long[] generic = t1.clone();
        int inferred = 0;
        for (long v : t1) if (v == -1) inferred++;
        for (int i = 0; i < t1.length; i++) {
            if (t1[i] == t2[i]) continue;
            if (!allowZero && i < x1.length && i < x2.length && t1[i] == x1[i] && t2[i] == x2[i]) {
                generic[i] = 0;
            } else {
                generic[i] = -1;
                inferred++;
            }
        }
        if (inferred > 1) return null;
        InferenceContext ctx = new InferenceContext(new Graph("check"));
        try {
            boolean works = Arrays.equals(ReshapeShape.resolve(x1, generic, allowZero, reshape, ctx),
                    ReshapeShape.resolve(x1, t1, allowZero, reshape, ctx))
                    && Arrays.equals(ReshapeShape.resolve(x2, generic, allowZero, reshape, ctx),
                    ReshapeShape.resolve(x2, t2, allowZero, reshape, ctx));
            return works ? generic : null;
        } catch (BadInputException e) {
            return null;
        }
    }

    /**
     * Removes nodes whose outputs nobody reads, back to front (the nodes are in topological order, so a dead
     * node's readers are gone before it is looked at), noting what they read. Readers are counted rather than
     * recomputed after each removal, which was quadratic in the number of dead nodes.
     */
    private static void removeDeadNodes(Graph g, Set<String> removedInputs) {
        Map<String, Integer> readers = new HashMap<>();
        for (String o : g.outputNames()) readers.merge(o, 1, Integer::sum);
        List<Node> nodes = g.nodes();
        for (Node n : nodes) for (String in : n.inputs()) readers.merge(in, 1, Integer::sum);
        List<Node> kept = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(o -> readers.getOrDefault(o, 0) > 0)) {
                kept.add(n);
                continue;
            }
            removedInputs.addAll(n.inputs());
            for (String in : n.inputs()) readers.merge(in, -1, Integer::sum);
        }
        Collections.reverse(kept);
        nodes.clear();
        nodes.addAll(kept);
    }

    private static void dropUnread(Graph g, Set<String> candidates) {
        Set<String> read = new HashSet<>(g.outputNames());
        for (Node n : g.nodes()) read.addAll(n.inputs());
        g.initializers().keySet().removeIf(k -> candidates.contains(k) && !read.contains(k));
    }

    /** Each value's shape with the dimensions that differ between the two batch sizes made symbolic (-1). */
    private static void mergeShapes(Graph result, Graph first, Map<String, Tensor> folded1, Graph second,
                                     Map<String, Tensor> folded2) {
        result.valueInfo().clear();
        Set<String> names = new HashSet<>(result.inputNames());
        names.addAll(result.outputNames());
        for (Node n : result.nodes()) for (String o : n.outputs()) if (!o.isEmpty()) names.add(o);
        for (String name : names) {
            if (result.isInitializer(name)) continue;
            long[] a = shapeOf(first, folded1, name);
            long[] b = shapeOf(second, folded2, name);
            long[] merged = a.clone();
            if (a.length != b.length) {
                merged = null;
            } else {
                for (int i = 0; i < a.length; i++) if (a[i] != b[i]) merged[i] = -1;
            }
            ValueInfo v = new ValueInfo(name, first.typeOf(name) != null ? first.typeOf(name)
                    : folded1.get(name).type(), merged);
            result.valueInfo().put(name, v);
        }
        for (int i = 0; i < result.outputs().size(); i++) {
            result.outputs().set(i, result.valueInfo().get(result.outputs().get(i).name()));
        }
        for (int i = 0; i < result.inputs().size(); i++) {
            result.valueInfo().put(result.inputs().get(i).name(), result.inputs().get(i));
        }
    }
}
