package neuroflux.onnx.shapes;

import static neuroflux.onnx.shapes.RuntimeOracle.graph;
import static neuroflux.onnx.shapes.RuntimeOracle.node;
import static neuroflux.onnx.shapes.RuntimeOracle.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.fold.ConstantFolder;
import org.junit.jupiter.api.Test;

/**
 * Attributes and constants that a hostile or broken model sets to break shape arithmetic: each is a one-line
 * {@link BadInputException} naming the node, never a cast error, an overflow into a wrong shape or a crash in
 * folding.
 */
class HostileShapesTest {
    @Test
    void anAttributeOfTheWrongKindNamesTheNode() {
        assertRejected(g -> conv(g).with("group", Attribute.of(1.5f)),
                "attribute 'group' is of kind FLOAT, expected INT");
        assertRejected(g -> conv(g).with("pads", Attribute.of(Tensor.vector(1, 1, 1, 1))), "'pads' is of kind TENSOR");
        assertRejected(g -> conv(g).with("auto_pad", 3L), "'auto_pad' is of kind INT");
        assertRejected(g -> node(g, "Constant", List.of(), "c").with("value", 2L), "'value' is of kind INT");
    }

    /** Folding copies elements at the first input's width; other widths used to read past the end. */
    @Test
    void mixedElementTypesAreRefused() {
        assertRejected(g -> {
            g.addInitializer("cond", OpShapesTest.Values.bools(true, false));
            g.addInitializer("a", Tensor.ofInts(new long[] {2}, 1, 2));
            g.addInitializer("b", Tensor.vector(3, 4));
            node(g, "Where", List.of("cond", "a", "b"), "w");
        }, "must have the same element type");
        assertRejected(g -> {
            g.addInitializer("a", Tensor.ofInts(new long[] {2}, 1, 2));
            g.addInitializer("b", Tensor.vector(3, 4));
            node(g, "Concat", List.of("a", "b"), "c").with("axis", 0L);
        }, "must have the same element type");
        assertRejected(g -> {
            g.addInitializer("k", Tensor.vector(3));
            node(g, "Add", List.of("x", "k"), "y");
        }, "'x' (FLOAT) and 'k' (INT64) must have the same element type");
        assertRejected(g -> {
            g.addInitializer("c", Tensor.vector(1, 0));
            g.addInitializer("a", Tensor.vector(1, 2));
            node(g, "Where", List.of("c", "a", "a"), "w");
        }, "the condition must be boolean");
    }

    @Test
    void slidingWindowArithmeticCannotOverflowIntoAShape() {
        assertRejected(g -> node(g, "MaxPool", List.of("x"), "y").withInts("kernel_shape", 1L << 40, 2)
                .withInts("dilations", 1L << 40, 1), "absurdly large");
        assertRejected(g -> node(g, "MaxPool", List.of("x"), "y").withInts("kernel_shape", 2, 2)
                .withInts("pads", Long.MAX_VALUE, 0, Long.MAX_VALUE, 0), "absurdly large");
        assertRejected(g -> conv(g).withInts("pads", -3, 0, 0, 0), "pads must not be negative");
        assertRejected(g -> conv(g).withInts("strides", 0, 1), "must be positive");
        assertRejected(g -> {
            g.addInitializer("wt", randomFloats(3, 2, 3, 3));
            node(g, "ConvTranspose", List.of("x", "wt"), "y").withInts("strides", 0, 1);
        }, "must be positive");
        assertRejected(g -> {
            g.addInitializer("wt", randomFloats(3, 2, 3, 3));
            node(g, "ConvTranspose", List.of("x", "wt"), "y").with("group", 1L << 62);
        }, "group");
    }

    @Test
    void aCastTargetBeyondIntRangeDoesNotWrapToAType() {
        // (1 << 32) + 1 truncated to an int is 1, FLOAT
        assertRejected(g -> node(g, "Cast", List.of("x"), "y").with("to", (1L << 32) + 1), "not an element type");
    }

    @Test
    void aRangeOfUnboundedLengthIsRefused() {
        assertRejected(g -> {
            g.addInitializer("start", Tensor.scalar(0f));
            g.addInitializer("limit", Tensor.scalar(Float.POSITIVE_INFINITY));
            g.addInitializer("delta", Tensor.scalar(1f));
            node(g, "Range", List.of("start", "limit", "delta"), "r");
        }, "must be finite");
    }

    @Test
    void shapeArgumentsAndRanksAreBounded() {
        assertRejected(g -> {
            long[] target = new long[10_000];
            java.util.Arrays.fill(target, 1);
            target[0] = -1;
            g.addInitializer("target", Tensor.vector(target));
            node(g, "Reshape", List.of("x", "target"), "y");
        }, "has 10000 entries, more than a shape argument can need");
        assertRejected(g -> {
            long[] axes = new long[70];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
            g.addInitializer("axes", Tensor.vector(axes));
            node(g, "Unsqueeze", List.of("x", "axes"), "y");
        }, "would have 74 dimensions");
    }

    /**
     * A Sum of 50,000 references to a 4096-element constant: folding it would take 200 million element operations
     * and gigabytes of garbage. Past the folder's budget the node stays in the graph, and inference stays quick.
     */
    @Test
    void foldingStopsAtItsWorkBudget() {
        Graph g = graph(17, 1, 3, 8, 8);
        long[] v = new long[(int) ConstantFolder.MAX_ELEMENTS];
        g.addInitializer("k", Tensor.vector(v));
        node(g, "Sum", Collections.nCopies(50_000, "k"), "s");
        node(g, "Identity", List.of("s"), "out");
        g.outputs().add(new ValueInfo("out", null, null));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ShapeInference.infer(g));
        assertEquals(List.of("Sum", "Identity"), g.nodes().stream().map(Node::opType).toList());
    }

    /** A fold of a hundred inputs still happens: the budget is far above real shape arithmetic. */
    @Test
    void smallFoldsStayWithinTheBudget() {
        Graph g = graph(17, 1, 3, 8, 8);
        g.addInitializer("k", Tensor.vector(1, -1));
        node(g, "Max", new ArrayList<>(Collections.nCopies(100, "k")), "s");
        node(g, "Reshape", List.of("x", "s"), "y");
        g.outputs().add(new ValueInfo("y", null, null));
        ShapeInference.infer(g);
        assertEquals(List.of("Reshape"), g.nodes().stream().map(Node::opType).toList());
    }

    private static Node conv(Graph g) {
        g.addInitializer("w", randomFloats(2, 3, 3, 3));
        return node(g, "Conv", List.of("x", "w"), "y");
    }

    /** x [1, 3, 8, 8] and whatever {@code build} adds; inference must fail with one line containing the text. */
    private static void assertRejected(Consumer<Graph> build, String expected) {
        Graph g = graph(17, 1, 3, 8, 8);
        build.accept(g);
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) g.outputs().add(new ValueInfo(o, null, null));
        }
        g.inputs().set(0, new ValueInfo("x", DataType.FLOAT, new long[] {1, 3, 8, 8}));
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g), expected);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
