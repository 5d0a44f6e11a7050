package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.Node;

/**
 * Groups the pieces before the classifier into units coarse enough to learn something on their own. A piece that
 * holds a weighted layer (a convolution) starts a unit; pieces without one (batch norm, activations, pooling, an
 * Add) join the unit before them, or the first unit when they come before any. A residual block is one piece
 * already. Two rules then keep the halves of a block that has no skip connection together:
 * <ul>
 *   <li>a depthwise convolution joins the unit after it: it mixes no channels and belongs with the pointwise
 *       convolution that follows it (MobileNet's depthwise-separable and inverted-residual blocks);</li>
 *   <li>a pointwise (1x1) convolution that widens the channels joins the unit after it when that unit narrows them
 *       again: an inverted bottleneck's expansion is not a meaningful output.</li>
 * </ul>
 */
final class UnitGrouping {
    static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private final StructuralShapes shapes;

    UnitGrouping(StructuralShapes shapes) {
        this.shapes = shapes;
    }

    List<List<Piece>> group(List<Piece> trunk) {
        List<List<Piece>> groups = new ArrayList<>();
        List<Piece> leading = new ArrayList<>();
        for (Piece p : trunk) {
            if (p.contains(WEIGHTED)) {
                List<Piece> g = new ArrayList<>(leading);
                leading.clear();
                g.add(p);
                groups.add(g);
            } else if (groups.isEmpty()) {
                leading.add(p);
            } else {
                groups.getLast().add(p);
            }
        }
        if (groups.isEmpty()) {
            groups.add(leading);
            return groups;
        }
        mergeIntoNext(groups, this::isDepthwise);
        mergeIntoNext(groups, this::isExpansionBeforeNarrowing);
        return groups;
    }

    private interface JoinsNext {
        boolean test(List<Piece> group, List<Piece> next);
    }

    private static void mergeIntoNext(List<List<Piece>> groups, JoinsNext rule) {
        for (int i = 0; i + 1 < groups.size(); i++) {
            if (rule.test(groups.get(i), groups.get(i + 1))) groups.get(i).addAll(groups.remove(i + 1));
        }
    }

    /** The group's one weighted node, or null when it has none or several. */
    private static Node onlyWeighted(List<Piece> group) {
        Node found = null;
        for (Piece p : group) {
            for (Node n : p.dataNodes()) {
                if (!WEIGHTED.contains(n.opType())) continue;
                if (found != null) return null;
                found = n;
            }
        }
        return found;
    }

    private boolean isDepthwise(List<Piece> group, List<Piece> next) {
        Node conv = onlyWeighted(group);
        if (conv == null || !conv.opType().equals("Conv") || conv.intAttr("group", 1) <= 1) return false;
        long[] w = shapes.constantShape(conv.input(1));
        return w != null && w.length >= 2 && w[1] == 1;
    }

    private boolean isExpansionBeforeNarrowing(List<Piece> group, List<Piece> next) {
        Node conv = onlyWeighted(group);
        if (conv == null || !conv.opType().equals("Conv") || conv.intAttr("group", 1) != 1) return false;
        long[] w = shapes.constantShape(conv.input(1));
        if (w == null || w.length < 3) return false;
        for (int i = 2; i < w.length; i++) if (w[i] != 1) return false;
        long widened = w[0];
        if (widened <= w[1]) return false;
        long after = shapes.channels(next.getLast().output());
        return after >= 0 && after < widened;
    }
}
