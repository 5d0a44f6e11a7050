package neuroflux.stages.block;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.ShapeInference;
import neuroflux.stages.heads.AuxiliaryHeads;
import neuroflux.stages.heads.Head;
import neuroflux.stages.heads.UnitCost;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.memory.StaticMemoryPlan;
import neuroflux.stages.models.TrainableParameters;
import neuroflux.stages.partition.Partition;
import neuroflux.stages.partition.Partitioner;
import neuroflux.stages.partition.Segment;
import neuroflux.stages.partition.Unit;

/**
 * A model cut into units, each with its early exit: an auxiliary head after every unit but the last, and the
 * model's own classifier after the last. It holds one graph, the imported model (symbolic batch) with every head
 * appended, whose initializers are the current values of all parameters: training a block replaces its units'
 * and heads' values with {@link #setValues}, and every graph built afterwards carries them.
 *
 * <p>Unit {@code k} trains on the loss of its exit alone, on an input that no gradient crosses: its
 * {@link #trainingSegment} is the unit followed by its exit, from the unit's input to the exit's logits.
 */
public final class HeadedNetwork {
    /** Bytes of a float32 activation element. */
    private static final long FLOAT_BYTES = 4;

    private final ImportedModel model;
    private final Partition partition;
    private final Graph graph;
    private final List<Head> heads;
    private final List<Segment> exits;
    /** Each unit's activation memory and multiply-adds per sample, which its head is kept a fraction of. */
    private final UnitCost[] unitCosts;
    /** The model at batch size 1, every shape inferred: where per-sample shapes are read. */
    private final Graph atOne;

    private HeadedNetwork(ImportedModel model, Partition partition, Graph graph, List<Head> heads,
                          List<Segment> exits, UnitCost[] unitCosts, Graph atOne) {
        this.model = model;
        this.atOne = atOne;
        this.partition = partition;
        this.graph = graph;
        this.heads = heads;
        this.exits = exits;
        this.unitCosts = unitCosts;
    }

    /**
     * Partitions the model and appends a head after every unit but the last, as wide as {@code heads}' rule gives
     * for the unit's forward activation memory and multiply-adds per sample.
     */
    public static HeadedNetwork build(ImportedModel model, AuxiliaryHeads heads) {
        Graph graph = model.graph().copy();
        Partition partition = Partitioner.partition(graph);
        Graph atOne = model.atBatch(1);
        int n = partition.size();
        List<Head> appended = new ArrayList<>();
        List<Segment> exits = new ArrayList<>();
        UnitCost[] costs = new UnitCost[n];
        for (int k = 0; k < n; k++) {
            Unit u = partition.unit(k);
            costs[k] = new UnitCost(forwardActivationBytes(u.segment(), atOne),
                    forwardMultiplyAdds(u.segment(), atOne));
            if (k == n - 1) {
                appended.add(null);
                exits.add(partition.classifier().segment());
                continue;
            }
            long[] shape = Shapes.withBatch(atOne.shapeOf(u.outputName()), -1);
            Head h = heads.append(graph, headName(u), u.outputName(), shape, model.classes(), costs[k]);
            appended.add(h);
            exits.add(headSegment(graph, h));
        }
        return new HeadedNetwork(model, partition, graph, appended, exits, costs, atOne);
    }

    static String headName(Unit u) {
        return u.name() + ".head";
    }

    /** The head's nodes (named with its prefix) and initializers as a segment from the unit output to its logits. */
    private static Segment headSegment(Graph graph, Head h) {
        List<Node> nodes = graph.nodes().stream().filter(node -> node.name().startsWith(h.name() + "/")).toList();
        Set<String> inits = new LinkedHashSet<>();
        for (Node node : nodes) for (String in : node.inputs()) if (graph.isInitializer(in)) inits.add(in);
        return new Segment(h.input(), h.logits(), nodes, new ArrayList<>(inits));
    }

    /**
     * What training keeps of a unit's forward pass per sample: the bytes of every value its nodes write, aliasing
     * reshapes not counted (they share their input's buffer). Read from the model's shapes at batch size 1.
     */
    static long forwardActivationBytes(Segment unit, Graph atOne) {
        long bytes = 0;
        Set<String> data = new java.util.HashSet<>(Set.of(unit.inputName()));
        for (Node node : unit.nodes()) {
            if (node.inputs().stream().noneMatch(data::contains)) continue;
            data.addAll(node.outputs());
            if (StaticMemoryPlan.ALIASING_OPS.contains(node.opType())) continue;
            for (String out : node.outputs()) {
                long[] s = atOne.shapeOf(out);
                if (!out.isEmpty() && Shapes.isKnown(s)) bytes += Shapes.size(s) * FLOAT_BYTES;
            }
        }
        return bytes;
    }

    /**
     * The multiply-adds of a unit's forward pass per sample: each convolution's output elements times its kernel
     * (input channels per group times the kernel's spatial size), each matrix product's output elements times its
     * inner dimension. Element-wise work is left out: a head bounded by this is bounded against the unit's heavy
     * arithmetic. Read from the model's shapes at batch size 1; a node whose shapes are unknown counts nothing.
     */
    static long forwardMultiplyAdds(Segment unit, Graph atOne) {
        long total = 0;
        for (Node node : unit.nodes()) {
            String op = node.opType();
            if (!op.equals("Conv") && !op.equals("ConvTranspose") && !op.equals("Gemm") && !op.equals("MatMul")) {
                continue;
            }
            long[] out = atOne.shapeOf(node.outputs().get(0));
            long[] second = node.inputs().size() > 1 ? atOne.shapeOf(node.inputs().get(1)) : null;
            if (!Shapes.isKnown(out) || !Shapes.isKnown(second)) continue;
            long inner;
            if (op.equals("Conv")) {
                inner = Shapes.size(second) / second[0]; // weight [M, C/group, k...]: one output's kernel
            } else if (op.equals("ConvTranspose")) {
                inner = Shapes.size(second) / second[0]; // weight [C, M/group, k...]: each input feeds this many
                long[] in = atOne.shapeOf(node.inputs().get(0));
                if (!Shapes.isKnown(in)) continue;
                total += Shapes.size(in) * inner;
                continue;
            } else if (op.equals("Gemm")) {
                boolean transB = node.intAttr("transB", 0) == 1;
                inner = transB ? second[second.length - 1] : second[0];
            } else {
                inner = second.length == 1 ? second[0] : second[second.length - 2];
            }
            total += Shapes.size(out) * inner;
        }
        return total;
    }

    /** Unit k's forward multiply-adds per sample, which its head's compute is kept a fraction of. */
    public long unitMultiplyAddsPerSample(int k) {
        return unitCosts[k].multiplyAddsPerSample();
    }

    public ImportedModel model() {
        return model;
    }

    public Partition partition() {
        return partition;
    }

    public int size() {
        return partition.size();
    }

    public Unit unit(int k) {
        return partition.unit(k);
    }

    /** Unit k's auxiliary head, or null for the last unit, whose exit is the model's classifier. */
    public Head head(int k) {
        return heads.get(k);
    }

    public boolean isLast(int k) {
        return k == size() - 1;
    }

    /** The logits of unit k's exit. */
    public String exitLogits(int k) {
        return exits.get(k).outputName();
    }

    /** What exit k is, for tables: the head's filters or "classifier". */
    public String exitName(int k) {
        return isLast(k) ? "classifier" : heads.get(k).name();
    }

    /** The forward activation bytes per sample of unit k that the head width rule saw. */
    public long unitActivationBytesPerSample(int k) {
        return unitCosts[k].activationBytesPerSample();
    }

    /** Unit k and its exit, from the unit's input to the exit's logits. */
    public Segment trainingSegment(int k) {
        return Segment.chain(List.of(unit(k).segment(), exits.get(k)));
    }

    /** The parameters unit k trains: its own and its exit's. */
    public Set<String> trainableParameters(int k) {
        return TrainableParameters.names(trainingSegment(k).toGraph(graph));
    }

    /** Parameters of the early-exit model that leaves after unit k: units 0..k and exit k. */
    public long exitParameters(int k) {
        List<Segment> parts = new ArrayList<>(partition.units().subList(0, k + 1).stream().map(Unit::segment).toList());
        parts.add(exits.get(k));
        return TrainableParameters.count(Segment.chain(parts).toGraph(graph));
    }

    /** Parameters of the model as imported. */
    public long inputParameters() {
        return TrainableParameters.count(model.graph());
    }

    /** Bytes per sample of unit k's input (float32). */
    public long inputBytesPerSample(int k) {
        return Shapes.size(sampleShape(unit(k).inputName())) * FLOAT_BYTES;
    }

    /** Bytes per sample of unit k's output (float32). */
    public long outputBytesPerSample(int k) {
        return Shapes.size(sampleShape(unit(k).outputName())) * FLOAT_BYTES;
    }

    /** The shape of one sample of a value between units (C x H x W), from the model at batch size 1. */
    public long[] sampleShape(String value) {
        long[] s = atOne.shapeOf(value);
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    /**
     * Unit k and its exit as a forward graph at batch size {@code batch}, every shape inferred; with
     * {@code unitOutput} the unit's output is a graph output too (the next unit of the block reads it).
     */
    public Graph trainingForward(int k, int batch, boolean unitOutput) {
        Graph g = trainingSegment(k).toGraph(graph, unit(k).name() + "-train");
        if (unitOutput) g.outputs().add(new ValueInfo(unit(k).outputName(), neuroflux.onnx.DataType.FLOAT, null));
        return atBatch(g, batch, sampleShape(unit(k).inputName()));
    }

    /**
     * Units {@code first..last} and all their exits for inference (batch normalisation on running statistics),
     * symbolic batch: outputs are the last unit's output (for the cache) unless it is the model's last unit, then
     * each unit's exit logits in order.
     */
    public Graph blockInference(int first, int last) {
        List<Node> nodes = new ArrayList<>();
        Set<String> inits = new LinkedHashSet<>();
        for (int k = first; k <= last; k++) {
            Segment s = trainingSegment(k);
            for (Node node : s.nodes()) if (!nodes.contains(node)) nodes.add(node);
            inits.addAll(s.initializerNames());
        }
        String lastOutput = unit(last).outputName();
        Graph g = new Segment(unit(first).inputName(), lastOutput, nodes, new ArrayList<>(inits))
                .toGraph(graph, "units" + first + "-" + last + "-inference");
        declareInput(g, -1, sampleShape(unit(first).inputName()));
        if (isLast(last)) g.outputs().clear();
        for (int k = first; k <= last; k++) g.outputs().add(declaredBatchFree(exitLogits(k)));
        g.outputs().replaceAll(o -> declaredBatchFree(o.name()));
        inferenceForm(g);
        return g;
    }

    /**
     * The early-exit model that leaves after unit k, for inference: the model's input (symbolic batch), units
     * 0..k, exit k with batch normalisation on running statistics, and the model's output name for its logits.
     */
    public Graph exitModel(int k) {
        List<Segment> parts = new ArrayList<>(partition.units().subList(0, k + 1).stream().map(Unit::segment).toList());
        parts.add(exits.get(k));
        Graph g = Segment.chain(parts).toGraph(graph, model.graph().name() + "-exit" + k);
        declareInput(g, -1, model.sampleShape());
        String logits = exitLogits(k);
        String output = model.outputName();
        if (!logits.equals(output)) {
            for (Node node : g.nodes()) node.outputs().replaceAll(o -> o.equals(logits) ? output : o);
            g.valueInfo().remove(logits);
        }
        g.outputs().clear();
        g.outputs().add(new ValueInfo(output, neuroflux.onnx.DataType.FLOAT, new long[] {-1, model.classes()}));
        inferenceForm(g);
        return g;
    }

    /** A graph output of unknown batch, as the symbolic-batch graph declares it. */
    private ValueInfo declaredBatchFree(String value) {
        long[] s = graph.shapeOf(value);
        return new ValueInfo(value, neuroflux.onnx.DataType.FLOAT, s == null ? null : Shapes.withBatch(s, -1));
    }

    /** Batch normalisation on running statistics: the training-mode attribute and extra outputs dropped. */
    private static void inferenceForm(Graph g) {
        for (Node node : g.nodes()) {
            if (node.opType().equals("BatchNormalization") && node.domain().isEmpty()) {
                node.attributes().remove("training_mode");
                while (node.outputs().size() > 1) node.outputs().removeLast();
            }
        }
    }

    /** The graph with its one input at {@code batch} x {@code sample} and every shape inferred again. */
    static Graph atBatch(Graph g, int batch, long[] sample) {
        declareInput(g, batch, sample);
        ShapeInference.infer(g);
        return g;
    }

    /** Declares the graph's one input as float [batch, sample...] (batch -1: symbolic). */
    private static void declareInput(Graph g, long batch, long[] sample) {
        ValueInfo in = g.inputs().getFirst();
        long[] shape = new long[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        ValueInfo declared = new ValueInfo(in.name(), neuroflux.onnx.DataType.FLOAT, shape);
        g.inputs().set(0, declared);
        g.valueInfo().put(in.name(), declared);
    }

    /** The current values of every parameter, statistic and constant of the model and its heads, by name. */
    public Map<String, Tensor> values() {
        return java.util.Collections.unmodifiableMap(graph.initializers());
    }

    /** The current value of a parameter or statistic. */
    public Tensor value(String name) {
        return graph.initializers().get(name);
    }

    /** Replaces parameter and statistic values with trained ones (same names and shapes). */
    public void setValues(Map<String, Tensor> values) {
        for (var e : values.entrySet()) {
            Tensor old = graph.initializers().get(e.getKey());
            if (old == null) throw new IllegalArgumentException("the network has no value '" + e.getKey() + "'");
            if (!java.util.Arrays.equals(old.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("'" + e.getKey() + "' changed shape from "
                        + Shapes.format(old.shape()) + " to " + Shapes.format(e.getValue().shape()));
            }
            graph.addInitializer(e.getKey(), e.getValue());
        }
    }

    /**
     * Unit k alone (no exit) as a forward graph at batch size {@code batch}, its output the graph's output; the
     * last unit comes with the model's classifier, whose logits are then the output. Activation recomputation
     * trains the whole model unit by unit from these.
     */
    public Graph unitForward(int k, int batch) {
        if (isLast(k)) return trainingForward(k, batch, false);
        Graph g = unit(k).segment().toGraph(graph, unit(k).name() + "-forward");
        return atBatch(g, batch, sampleShape(unit(k).inputName()));
    }

    /** The whole model as imported (all units and the classifier) with the current values, at a batch size. */
    public Graph wholeForward(int batch) {
        Graph g = partition.whole().toGraph(graph, model.graph().name() + "-bp");
        return atBatch(g, batch, model.sampleShape());
    }
}
