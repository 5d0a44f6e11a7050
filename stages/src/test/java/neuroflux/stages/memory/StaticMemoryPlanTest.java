package neuroflux.stages.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import org.junit.jupiter.api.Test;

class StaticMemoryPlanTest {
    private static void value(Graph g, String name, long... shape) {
        g.valueInfo().put(name, new ValueInfo(name, DataType.FLOAT, shape));
    }

    private static void input(Graph g, String name, long... shape) {
        ValueInfo v = new ValueInfo(name, DataType.FLOAT, shape);
        g.inputs().add(v);
        g.valueInfo().put(name, v);
    }

    private static void output(Graph g, String name) {
        g.outputs().add(g.info(name));
    }

    /**
     * A hand-made step: forward x·W, relu, loss; a gradient, a backward temporary, the gradient of W; new optimizer
     * state and new W as outputs. Sizes in bytes: W, m, grad.W, m.next, W.next 48; x 32; h, a, grad.a, t 24; loss 4.
     */
    static Graph tinyStep() {
        Graph g = new Graph("step");
        input(g, "x", 2, 4);
        input(g, "W", 4, 3);
        input(g, "m", 4, 3);
        value(g, "h", 2, 3);
        value(g, "a", 2, 3);
        value(g, "loss");
        value(g, "grad.a", 2, 3);
        value(g, "t", 2, 3);
        value(g, "grad.W", 4, 3);
        value(g, "m.next", 4, 3);
        value(g, "W.next", 4, 3);
        g.op("MatMul", List.of("x", "W"), "h");
        g.op("Relu", List.of("h"), "a");
        g.op("ReduceSum", List.of("a"), "loss");
        g.op("Sign", List.of("a"), "grad.a");
        g.op("Mul", List.of("grad.a", "h"), "t");
        g.add(new Node("Gemm", "gemm", List.of("x", "t"), List.of("grad.W"))).with("transA", 1L);
        g.op("Mul", List.of("m", "W"), "m.next");
        g.op("Sub", List.of("W", "grad.W"), "W.next");
        output(g, "loss");
        output(g, "m.next");
        output(g, "W.next");
        return g;
    }

    @Test
    void walksTheStepFreeingAfterLastUse() {
        StaticMemoryPlan plan = StaticMemoryPlan.of(tinyStep(), Set.of("W"), Set.of("m"));
        // worked by hand: live bytes while each node runs (outputs to the end, intermediates to their last read)
        assertEquals("[24, 48, 52, 76, 76, 76, 100, 148]", java.util.Arrays.toString(plan.liveBytesPerNode()));
        assertEquals(128, plan.residentBytes());
        assertEquals(148, plan.peakTransientBytes());
        assertEquals(276, plan.peakBytes());
        assertEquals(7, plan.peakNodeIndex());
        assertEquals("Sub", plan.peakNode().opType());
    }

    @Test
    void splitsThePeakByCategory() {
        StaticMemoryPlan plan = StaticMemoryPlan.of(tinyStep(), Set.of("W"), Set.of("m"));
        Map<MemoryCategory, Long> at = plan.peakByCategory();
        assertEquals(48, at.get(MemoryCategory.PARAMETERS));
        assertEquals(48, at.get(MemoryCategory.OPTIMIZER_STATE));
        assertEquals(32, at.get(MemoryCategory.INPUTS));
        assertEquals(48, at.get(MemoryCategory.GRADIENTS), "grad.W is alive at the peak, grad.a is not");
        assertEquals(96, at.get(MemoryCategory.UPDATES));
        assertEquals(4, at.get(MemoryCategory.ACTIVATIONS), "only the loss output is left of the forward");
        assertEquals(0, at.get(MemoryCategory.TEMPORARIES));
        assertEquals(plan.peakBytes(), at.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(MemoryCategory.ACTIVATIONS, plan.categoryOf("h"));
        assertEquals(MemoryCategory.TEMPORARIES, plan.categoryOf("t"), "reads a gradient: backward, not forward");
        assertEquals(MemoryCategory.GRADIENTS, plan.categoryOf("grad.a"));
        assertTrue(plan.describe().startsWith("predicted (static plan) peak 276 B at node 7"), plan.describe());
    }

    /** The tiny step with a value renamed everywhere. */
    private static Graph renamed(Graph g, String from, String to) {
        for (Node n : g.nodes()) {
            n.outputs().replaceAll(o -> o.equals(from) ? to : o);
            n.inputs().replaceAll(o -> o.equals(from) ? to : o);
        }
        g.valueInfo().put(to, g.info(from).withName(to));
        g.outputs().replaceAll(v -> v.name().equals(from) ? v.withName(to) : v);
        return g;
    }

    @Test
    void backwardValuesAreNotActivationsEvenWithoutGradientNames() {
        // a compiler that names the gradient of a "d_a": t still is no ancestor of the loss, so not forward
        Graph g = renamed(tinyStep(), "grad.a", "d_a");
        StaticMemoryPlan plain = StaticMemoryPlan.of(g, Set.of("W"), Set.of("m"));
        assertEquals(MemoryCategory.TEMPORARIES, plain.categoryOf("t"));
        assertEquals(MemoryCategory.TEMPORARIES, plain.categoryOf("d_a"));
        ValueClassifier adjusted = ValueClassifier.defaults()
                .withRule(name -> name.startsWith("d_"), MemoryCategory.GRADIENTS);
        StaticMemoryPlan plan = StaticMemoryPlan.of(g, Set.of("W"), Set.of("m"), adjusted);
        assertEquals(MemoryCategory.GRADIENTS, plan.categoryOf("d_a"));
        assertEquals(plain.peakBytes(), plan.peakBytes(), "names change categories, not sizes");
    }

    @Test
    void withoutALossTheForwardIsWhatReadsTheBatchButNoGradient() {
        Graph g = renamed(tinyStep(), "loss", "objective");
        StaticMemoryPlan byGradients = StaticMemoryPlan.of(g, Set.of("W"), Set.of("m"));
        assertEquals(MemoryCategory.ACTIVATIONS, byGradients.categoryOf("h"));
        assertEquals(MemoryCategory.TEMPORARIES, byGradients.categoryOf("t"), "reads grad.a");
        // without gradient names either, the backward temporary cannot be told from the forward
        Graph anonymous = renamed(renamed(tinyStep(), "loss", "objective"), "grad.a", "d_a");
        assertEquals(MemoryCategory.ACTIVATIONS,
                StaticMemoryPlan.of(anonymous, Set.of("W"), Set.of("m")).categoryOf("t"));
        // ...until the classifier is told which value is the loss
        ValueClassifier withLoss = ValueClassifier.defaults().withLoss("objective"::equals);
        StaticMemoryPlan plan = StaticMemoryPlan.of(anonymous, Set.of("W"), Set.of("m"), withLoss);
        assertEquals(MemoryCategory.TEMPORARIES, plan.categoryOf("t"));
        assertEquals(MemoryCategory.ACTIVATIONS, plan.categoryOf("h"));
    }

    @Test
    void aliasingOperatorsShareTheirInputsBuffer() {
        Graph g = new Graph("alias");
        input(g, "x", 2, 3, 2, 2);
        value(g, "r", 2, 3, 2, 2);
        value(g, "f", 2, 12);
        value(g, "y", 2, 12);
        g.op("Relu", List.of("x"), "r");
        g.add(new Node("Flatten", "flat", List.of("r"), List.of("f"))).with("axis", 1L);
        g.op("Relu", List.of("f"), "y");
        output(g, "y");
        StaticMemoryPlan plan = StaticMemoryPlan.of(g, Set.of(), Set.of());
        // r (96 bytes) stays alive through the flatten's reader; f adds nothing
        assertEquals("[96, 96, 192]", java.util.Arrays.toString(plan.liveBytesPerNode()));
        assertEquals(96 + 192, plan.peakBytes());
    }

    @Test
    void anAliasThatIsAGraphOutputIsItsOwnBuffer() {
        Graph g = new Graph("alias-out");
        input(g, "x", 2, 12);
        value(g, "r", 2, 12);
        value(g, "f", 2, 3, 4);
        g.op("Relu", List.of("x"), "r");
        g.add(new Node("Reshape", "reshape", List.of("r", "shape"), List.of("f")));
        g.addInitializer("shape", Tensor.vector(2, 3, 4));
        output(g, "f");
        StaticMemoryPlan plan = StaticMemoryPlan.of(g, Set.of(), Set.of());
        assertEquals("[96, 192]", java.util.Arrays.toString(plan.liveBytesPerNode()));
        assertEquals(24, plan.peakBytes(MemoryCategory.CONSTANTS), "the shape initializer: 3 int64");
    }

    @Test
    void batchNormStatisticsAreRecognisedByWhereTheyAreRead() {
        Graph g = new Graph("bn");
        input(g, "x", 2, 4, 1, 1);
        for (String p : List.of("s", "b")) g.addInitializer(p, Tensor.ofFloats(new long[] {4}, 1, 1, 1, 1));
        for (String p : List.of("mu", "var")) g.addInitializer(p, Tensor.ofFloats(new long[] {4}, 0, 0, 0, 0));
        value(g, "y", 2, 4, 1, 1);
        g.op("BatchNormalization", List.of("x", "s", "b", "mu", "var"), "y");
        output(g, "y");
        StaticMemoryPlan plan = StaticMemoryPlan.of(g, Set.of("s", "b"), Set.of());
        assertEquals(MemoryCategory.RUNNING_STATISTICS, plan.categoryOf("mu"));
        assertEquals(32, plan.peakBytes(MemoryCategory.RUNNING_STATISTICS));
        assertEquals(32, plan.peakBytes(MemoryCategory.PARAMETERS));
        assertEquals(32, plan.peakBytes(MemoryCategory.INPUTS));
        assertEquals(32, plan.peakBytes(MemoryCategory.ACTIVATIONS));
    }

    @Test
    void refusesAValueOfUnknownSize() {
        Graph g = tinyStep();
        g.valueInfo().put("t", g.info("t").withShape(new long[] {-1, 3}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StaticMemoryPlan.of(g, Set.of("W"), Set.of("m")));
        assertTrue(e.getMessage().contains("'t'"), e.getMessage());
    }

    @Test
    void refusesNodesOutOfOrder() {
        Graph g = tinyStep();
        java.util.Collections.swap(g.nodes(), 0, 1);
        assertThrows(IllegalArgumentException.class, () -> StaticMemoryPlan.of(g, Set.of("W"), Set.of("m")));
    }
}
