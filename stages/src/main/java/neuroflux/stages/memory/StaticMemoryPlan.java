package neuroflux.stages.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;

/**
 * The memory a training step graph needs, predicted from its shapes alone (no run): a static plan, not a
 * measurement.
 *
 * <p>The model of ONNX Runtime's memory it assumes:
 * <ul>
 *   <li><b>Resident for the whole step</b>: every graph input (parameters, optimizer state and statistics when the
 *   compiler passes them as inputs; the input batch and labels) and every initializer. The caller owns the input
 *   buffers, so none of them is ever freed or overwritten during the step.</li>
 *   <li><b>Nodes run in the stored order</b>, which must be topological: for a sorted graph that is the order ONNX
 *   Runtime's sequential executor uses.</li>
 *   <li><b>An intermediate lives from the node that writes it to the last node that reads it</b>, and is freed right
 *   after; one nobody reads is freed right after the node that writes it.</li>
 *   <li><b>Graph outputs live from the node that writes them to the end of the step</b>: they are returned to the
 *   caller. An output that replaces an input ({@code p.next} for {@code p}) is a new buffer: ONNX Runtime never
 *   writes a graph output into a caller's input buffer, so during the step both the old and the new value exist.</li>
 *   <li><b>No in-place reuse is counted</b>: kernels that may write over an input they read last (Relu, Add...) are
 *   counted as writing a new buffer, so the prediction is an upper bound on that account. The exception are
 *   operators whose CPU kernels alias their input ({@link #ALIASING_OPS}: Reshape, Flatten, Squeeze, Unsqueeze,
 *   Identity): their output shares the input's buffer, which then lives until the last read of either.</li>
 *   <li>Allocator overheads (arena rounding, fragmentation, the memory pattern's packing) and graph optimisations
 *   that fuse nodes are not modelled; a measured peak differs by them.</li>
 * </ul>
 *
 * <p>Categories: parameter and optimizer-state names are given; other names go through the {@link ValueClassifier}
 * first. Left unclassified, a graph input or initializer read as input 3 or 4 of a BatchNormalization is a running
 * statistic, another graph input is part of the input batch and labels, another initializer a constant. An
 * intermediate is an activation when it is part of the forward pass: computed from the input batch, without
 * reading a gradient (directly or through other values), and, where the graph has losses (as the classifier names
 * them), one of the values a loss is computed from; any other intermediate is a temporary. Asking for the losses'
 * ancestors keeps backward values out of the activations even when the compiler does not name them as gradients.
 *
 * <p>For a compiled step, pass its parameters, its optimizer state (state that is neither parameter nor running
 * statistic), and a classifier that knows its running statistics:
 * {@code ValueClassifier.defaults().withRule(runningStats::contains, MemoryCategory.RUNNING_STATISTICS)}.
 */
public final class StaticMemoryPlan {
    /** Operators whose output ONNX Runtime's CPU kernels place in their first input's buffer. */
    public static final Set<String> ALIASING_OPS = Set.of("Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity");

    private final Graph graph;
    private final Map<String, MemoryCategory> categories;
    private final Map<MemoryCategory, Long> residentByCategory;
    private final long residentBytes;
    private final long[] liveBytesPerNode;
    private final int peakNodeIndex;
    private final Map<MemoryCategory, Long> peakByCategory;

    private static final class Buffer {
        final long bytes;
        final MemoryCategory category;
        final int born;
        int lastUse;
        final boolean keptToEnd;

        Buffer(long bytes, MemoryCategory category, int born, boolean keptToEnd) {
            this.bytes = bytes;
            this.category = category;
            this.born = born;
            this.lastUse = born;
            this.keptToEnd = keptToEnd;
        }
    }

    private StaticMemoryPlan(Graph graph, Map<String, MemoryCategory> categories,
                             Map<MemoryCategory, Long> residentByCategory, long[] liveBytesPerNode, int peakNodeIndex,
                             Map<MemoryCategory, Long> peakByCategory) {
        this.graph = graph;
        this.categories = categories;
        this.residentByCategory = residentByCategory;
        this.residentBytes = residentByCategory.values().stream().mapToLong(Long::longValue).sum();
        this.liveBytesPerNode = liveBytesPerNode;
        this.peakNodeIndex = peakNodeIndex;
        this.peakByCategory = peakByCategory;
    }

    /** The plan with the compiler's default naming convention ({@link ValueClassifier#defaults()}). */
    public static StaticMemoryPlan of(Graph stepGraph, Set<String> parameterNames, Set<String> optimizerStateNames) {
        return of(stepGraph, parameterNames, optimizerStateNames, ValueClassifier.defaults());
    }

    /**
     * Plans the step. Every value must have a known shape and type (the batch fixed): shape inference has run.
     *
     * @throws IllegalArgumentException if a value's size is unknown or the nodes are not in topological order
     */
    public static StaticMemoryPlan of(Graph stepGraph, Set<String> parameterNames, Set<String> optimizerStateNames,
                                      ValueClassifier classifier) {
        Set<String> resident = new LinkedHashSet<>(stepGraph.inputNames());
        resident.addAll(stepGraph.initializers().keySet());
        Set<String> graphOutputs = new HashSet<>(stepGraph.outputNames());
        Set<String> runningStatistics = batchNormStatistics(stepGraph);

        Map<String, MemoryCategory> categories = new HashMap<>();
        Map<MemoryCategory, Long> residentByCategory = emptyTally();
        for (String v : resident) {
            MemoryCategory c = residentCategory(stepGraph, v, parameterNames, optimizerStateNames, classifier,
                    runningStatistics);
            categories.put(v, c);
            residentByCategory.merge(c, bytesOf(stepGraph, v), Long::sum);
        }

        List<Node> nodes = stepGraph.nodes();
        Set<String> forward = lossAncestors(stepGraph, classifier);
        Set<String> fromBatch = new HashSet<>();
        Set<String> afterGradient = new HashSet<>();
        for (String v : resident) {
            if (categories.get(v) == MemoryCategory.INPUTS) fromBatch.add(v);
            if (categories.get(v) == MemoryCategory.GRADIENTS) afterGradient.add(v);
        }
        Map<String, Buffer> bufferOf = new HashMap<>();
        Set<String> aliasesOfResident = new HashSet<>();
        List<List<Buffer>> bornAt = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            boolean readsBatch = false;
            boolean readsGradient = false;
            for (String in : n.inputs()) {
                if (in.isEmpty()) continue;
                if (!resident.contains(in) && !bufferOf.containsKey(in) && !aliasesOfResident.contains(in)) {
                    throw new IllegalArgumentException("node " + n.describe() + " reads '" + in + "' before any node"
                            + " writes it: the static memory plan needs the nodes in topological order");
                }
                Buffer b = bufferOf.get(in);
                if (b != null) b.lastUse = i;
                readsBatch |= fromBatch.contains(in);
                readsGradient |= afterGradient.contains(in);
            }
            List<Buffer> born = new ArrayList<>();
            for (int k = 0; k < n.outputs().size(); k++) {
                String out = n.output(k);
                if (out.isEmpty()) continue;
                boolean isForward = readsBatch && !readsGradient && (forward.isEmpty() || forward.contains(out));
                MemoryCategory c = classifier.byName(out).orElse(
                        isForward ? MemoryCategory.ACTIVATIONS : MemoryCategory.TEMPORARIES);
                if (readsBatch) fromBatch.add(out);
                if (readsGradient || c == MemoryCategory.GRADIENTS) afterGradient.add(out);
                String source = n.input(0);
                if (k == 0 && ALIASING_OPS.contains(n.opType()) && !source.isEmpty() && !graphOutputs.contains(out)) {
                    if (bufferOf.containsKey(source)) {
                        bufferOf.put(out, bufferOf.get(source));
                        categories.put(out, bufferOf.get(source).category);
                    } else {
                        aliasesOfResident.add(out);
                        categories.put(out, categories.get(source));
                    }
                    continue;
                }
                Buffer b = new Buffer(bytesOf(stepGraph, out), c, i, graphOutputs.contains(out));
                bufferOf.put(out, b);
                categories.put(out, c);
                born.add(b);
            }
            bornAt.add(born);
        }
        return sweep(stepGraph, categories, residentByCategory, bornAt, new HashSet<>(bufferOf.values()));
    }

    /** Walks the nodes adding what each writes and freeing what was read for the last time. */
    private static StaticMemoryPlan sweep(Graph graph, Map<String, MemoryCategory> categories,
                                          Map<MemoryCategory, Long> residentByCategory, List<List<Buffer>> bornAt,
                                          Set<Buffer> buffers) {
        int n = bornAt.size();
        List<List<Buffer>> freedAfter = new ArrayList<>();
        for (int i = 0; i < n; i++) freedAfter.add(new ArrayList<>());
        for (Buffer b : buffers) if (!b.keptToEnd) freedAfter.get(b.lastUse).add(b);

        long[] live = new long[n];
        long[] liveByCategory = new long[MemoryCategory.values().length];
        long current = 0;
        long peak = -1;
        int peakIndex = -1;
        long[] atPeak = new long[liveByCategory.length];
        for (int i = 0; i < n; i++) {
            for (Buffer b : bornAt.get(i)) {
                current += b.bytes;
                liveByCategory[b.category.ordinal()] += b.bytes;
            }
            live[i] = current;
            if (current > peak) {
                peak = current;
                peakIndex = i;
                atPeak = liveByCategory.clone();
            }
            for (Buffer b : freedAfter.get(i)) {
                current -= b.bytes;
                liveByCategory[b.category.ordinal()] -= b.bytes;
            }
        }
        Map<MemoryCategory, Long> peakByCategory = emptyTally();
        for (MemoryCategory c : MemoryCategory.values()) {
            peakByCategory.put(c, residentByCategory.get(c) + atPeak[c.ordinal()]);
        }
        return new StaticMemoryPlan(graph, categories, Collections.unmodifiableMap(residentByCategory), live,
                peakIndex, Collections.unmodifiableMap(peakByCategory));
    }

    private static MemoryCategory residentCategory(Graph g, String v, Set<String> parameters, Set<String> optimizer,
                                                   ValueClassifier classifier, Set<String> runningStatistics) {
        if (parameters.contains(v)) return MemoryCategory.PARAMETERS;
        if (optimizer.contains(v)) return MemoryCategory.OPTIMIZER_STATE;
        return classifier.byName(v).orElseGet(() -> {
            if (runningStatistics.contains(v)) return MemoryCategory.RUNNING_STATISTICS;
            return g.inputNames().contains(v) ? MemoryCategory.INPUTS : MemoryCategory.CONSTANTS;
        });
    }

    /** The node outputs some loss is computed from, the losses included; empty where the graph has no loss. */
    private static Set<String> lossAncestors(Graph g, ValueClassifier classifier) {
        Set<String> needed = new HashSet<>();
        for (Node n : g.nodes()) for (String o : n.outputs()) if (!o.isEmpty() && classifier.isLoss(o)) needed.add(o);
        Set<String> ancestors = new HashSet<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean leads = false;
            for (String o : n.outputs()) {
                if (needed.contains(o)) {
                    ancestors.add(o);
                    leads = true;
                }
            }
            if (leads) needed.addAll(n.inputs());
        }
        return ancestors;
    }

    private static Set<String> batchNormStatistics(Graph g) {
        Set<String> s = new HashSet<>();
        for (Node n : g.nodes()) {
            if (!n.opType().equals("BatchNormalization")) continue;
            if (n.hasInput(3)) s.add(n.input(3));
            if (n.hasInput(4)) s.add(n.input(4));
        }
        return s;
    }

    private static long bytesOf(Graph g, String v) {
        long[] shape = g.shapeOf(v);
        DataType type = g.typeOf(v);
        if (!Shapes.isKnown(shape) || type == null) {
            throw new IllegalArgumentException("the static memory plan needs the size of every value, and '" + v
                    + "' has " + (type == null ? "no known type" : "shape " + Shapes.format(shape))
                    + ": run shape inference with a fixed batch first");
        }
        return Math.multiplyExact(Shapes.size(shape), (long) type.bytes);
    }

    private static Map<MemoryCategory, Long> emptyTally() {
        Map<MemoryCategory, Long> m = new EnumMap<>(MemoryCategory.class);
        for (MemoryCategory c : MemoryCategory.values()) m.put(c, 0L);
        return m;
    }

    /** Predicted peak: the resident bytes plus the largest sum of node-written buffers alive at once. */
    public long peakBytes() {
        return residentBytes + peakTransientBytes();
    }

    /** Bytes held for the whole step: graph inputs and initializers. */
    public long residentBytes() {
        return residentBytes;
    }

    /** The largest sum of buffers written by nodes and alive at once (zero for a graph without nodes). */
    public long peakTransientBytes() {
        return peakNodeIndex < 0 ? 0 : liveBytesPerNode[peakNodeIndex];
    }

    /** The peak split by category, every category present (zero where none); sums to {@link #peakBytes()}. */
    public Map<MemoryCategory, Long> peakByCategory() {
        return peakByCategory;
    }

    public long peakBytes(MemoryCategory category) {
        return peakByCategory.get(category);
    }

    /** The resident bytes split by category. */
    public Map<MemoryCategory, Long> residentByCategory() {
        return residentByCategory;
    }

    /** The index of the first node at which the peak is reached, or -1 for a graph without nodes. */
    public int peakNodeIndex() {
        return peakNodeIndex;
    }

    /** The first node at which the peak is reached, or null for a graph without nodes. */
    public Node peakNode() {
        return peakNodeIndex < 0 ? null : graph.nodes().get(peakNodeIndex);
    }

    /** For each node, the node-written bytes alive while it runs (its outputs included). */
    public long[] liveBytesPerNode() {
        return liveBytesPerNode.clone();
    }

    /** The category a value was given, or null for a name not in the graph. */
    public MemoryCategory categoryOf(String valueName) {
        return categories.get(valueName);
    }

    /** One line for a report, saying that the figure is a prediction. */
    public String describe() {
        StringBuilder b = new StringBuilder("predicted (static plan) peak ").append(Budget.format(peakBytes()));
        Node at = peakNode();
        if (at != null) b.append(" at node ").append(peakNodeIndex).append(' ').append(at.describe());
        b.append(':');
        String sep = " ";
        for (var e : peakByCategory.entrySet()) {
            if (e.getValue() == 0) continue;
            b.append(sep).append(e.getKey().label).append(' ').append(Budget.format(e.getValue()));
            sep = ", ";
        }
        return b.append("; resident for the whole step ").append(Budget.format(residentBytes)).toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
