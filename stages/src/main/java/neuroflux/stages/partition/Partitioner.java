package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;

/**
 * Cuts a CNN into trainable units and its classifier, by structure alone.
 *
 * <p>The model is first cut at every cut value (a value every path from the input to the output passes through, so
 * a residual connection or a concatenation of branches is never cut) into pieces. The classifier is what follows
 * the last 4-D feature map, a global pooling's output not counting as one. The pieces before it are grouped into
 * units by {@link UnitGrouping}.
 *
 * <p>Partition the graph the units will be taken from: after shape inference when shapes should be reported. Shape
 * arithmetic on the input (Shape, Gather... at a symbolic batch) reads the input from everywhere and hides cuts;
 * fold it first (the importer does).
 */
public final class Partitioner {
    /** Operators that pool a whole feature map: their 4-D output is already the classifier's. */
    private static final Set<String> GLOBAL_POOLS = Set.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
            "ReduceMean", "ReduceMax", "ReduceSum", "ReduceL2");

    private Partitioner() {}

    public static Partition partition(Graph model) {
        Graph g = model.copy();
        g.sortTopologically();
        g.removeUnusedNodes();
        DataFlow flow = new DataFlow(g);
        List<String> cuts = flow.cutValues();
        if (cuts.size() < 3) {
            throw new BadInputException("cannot cut the model into units: no tensor between its input and its output"
                    + " is one that every path passes through (a branch spans the whole network)");
        }
        StructuralShapes shapes = new StructuralShapes(g);
        int classifierStart = lastFeatureMap(cuts, flow, shapes);

        List<Piece> trunk = new ArrayList<>();
        for (int i = 1; i <= classifierStart; i++) {
            trunk.add(new Piece(cuts.get(i - 1), cuts.get(i), flow.nodesBetween(cuts.get(i - 1), cuts.get(i))));
        }
        List<Unit> units = new ArrayList<>();
        for (List<Piece> group : new UnitGrouping(shapes).group(trunk)) {
            List<Node> data = group.stream().flatMap(p -> p.dataNodes().stream()).toList();
            Segment s = Segment.of(group.getFirst().input(), group.getLast().output(), flow.withConstants(data), g);
            units.add(new Unit(units.size(), "unit" + units.size(), NameHints.of(data), s));
        }
        String classifierInput = cuts.get(classifierStart);
        List<Node> head = flow.nodesBetween(classifierInput, flow.output());
        Classifier classifier = new Classifier(NameHints.of(head),
                Segment.of(classifierInput, flow.output(), flow.withConstants(head), g));
        return new Partition(flow.input(), flow.output(), units, classifier);
    }

    /** The index in {@code cuts} of the last 4-D feature map, where the classifier begins. */
    private static int lastFeatureMap(List<String> cuts, DataFlow flow, StructuralShapes shapes) {
        for (int i = cuts.size() - 2; i >= 0; i--) {
            String v = cuts.get(i);
            Node producer = flow.dataProducer(v);
            if (shapes.rank(v) != 4 || (producer != null && GLOBAL_POOLS.contains(producer.opType()))) continue;
            if (i == 0) {
                throw new BadInputException("cannot find the model's classifier: no layer before it computes a 4-D"
                        + " feature map, so there is nothing to cut into units");
            }
            return i;
        }
        throw new BadInputException("cannot find the model's classifier: the model computes no 4-D (N x C x H x W)"
                + " feature map that every path passes through; neuroflux partitions CNNs on images");
    }
}
