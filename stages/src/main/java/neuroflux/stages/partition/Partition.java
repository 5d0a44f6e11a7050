package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.List;

/**
 * A model cut into units run one after another, then its classifier: their composition computes exactly what the
 * model computes. Unit i reads unit i-1's output (unit 0 the model's input); the classifier reads the last unit's.
 *
 * @param inputName the model's input
 * @param outputName the model's output (the classifier's)
 * @param units at least one
 * @param classifier the model's own classifier
 */
public record Partition(String inputName, String outputName, List<Unit> units, Classifier classifier) {
    public Partition {
        units = List.copyOf(units);
        if (units.isEmpty()) throw new IllegalArgumentException("a partition has at least one unit");
    }

    public int size() {
        return units.size();
    }

    public Unit unit(int i) {
        return units.get(i);
    }

    /** Units {@code from} (inclusive) to {@code to} (exclusive) as one segment. */
    public Segment range(int from, int to) {
        if (from < 0 || to > units.size() || from >= to) {
            throw new IndexOutOfBoundsException("unit range [" + from + ", " + to + ") of " + units.size() + " units");
        }
        return Segment.chain(units.subList(from, to).stream().map(Unit::segment).toList());
    }

    /** The first {@code k} units as one segment: the body of an early-exit model that leaves after unit k-1. */
    public Segment prefix(int k) {
        return range(0, k);
    }

    /** All units and the classifier: the whole model as this partition sees it. */
    public Segment whole() {
        List<Segment> parts = new ArrayList<>(units.stream().map(Unit::segment).toList());
        parts.add(classifier.segment());
        return Segment.chain(parts);
    }
}
