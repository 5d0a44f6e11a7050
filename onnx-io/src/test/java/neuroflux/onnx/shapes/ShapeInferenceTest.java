package neuroflux.onnx.shapes;

import static neuroflux.onnx.shapes.RuntimeOracle.graph;
import static neuroflux.onnx.shapes.RuntimeOracle.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Fixtures;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ShapeInferenceTest {
    static final List<String> FIXTURES = Fixtures.NAMES;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void fixtureShapesMatchOnnxRuntime(String fixture) {
        Graph g = OnnxModels.read(Fixtures.dir(fixture).resolve("model.onnx"));
        ValueInfo in = g.inputs().get(0);
        g.inputs().set(0, in.withShape(Shapes.withBatch(in.shape(), 3)));
        Graph inferred = RuntimeOracle.check(g);

        Graph plain = g.copy();
        ShapeInference.infer(plain);
        assertArrayEquals(new long[] {3, 10}, plain.outputs().get(0).shape());
        assertEquals(DataType.FLOAT, plain.outputs().get(0).type());
        for (Node n : plain.nodes()) {
            assertTrue(Shapes.isKnown(plain.info(n.output(0)).shape()), n.toString());
            assertTrue(!n.opType().equals("Constant"), "Constant nodes are folded into initializers");
        }
        assertNotNull(inferred);
    }

    /**
     * {@code x.view(x.size(0), -1)} and {@code x.view(n, c // 2, -1)} as PyTorch's exporter writes them with a
     * dynamic batch: the target is computed from {@code Shape(x)} at run time.
     */
    static Graph dynamicReshape(long batch) {
        Graph g = graph(17, batch, 8, 3, 3);
        node(g, "Shape", List.of("x"), "shape");
        node(g, "Constant", List.of(), "zero").with("value", Attribute.of(Tensor.ofLongs(new long[0], 0)));
        node(g, "Gather", List.of("shape", "zero"), "n").with("axis", 0);
        node(g, "Constant", List.of(), "axes").with("value", Attribute.of(Tensor.vector(0)));
        node(g, "Unsqueeze", List.of("n", "axes"), "n1");
        node(g, "Constant", List.of(), "minus1").with("value", Attribute.of(Tensor.vector(-1)));
        node(g, "Concat", List.of("n1", "minus1"), "target").with("axis", 0);
        node(g, "Reshape", List.of("x", "target"), "flat");

        // n, channels / 2 computed through floats as exports of integer division often are
        node(g, "Constant", List.of(), "one").with("value", Attribute.of(Tensor.ofLongs(new long[0], 1)));
        node(g, "Gather", List.of("shape", "one"), "c");
        node(g, "Cast", List.of("c"), "cf").with("to", DataType.FLOAT.code);
        node(g, "Constant", List.of(), "half").with("value", Attribute.of(Tensor.scalar(0.5f)));
        node(g, "Mul", List.of("cf", "half"), "hf");
        node(g, "Cast", List.of("hf"), "h").with("to", DataType.INT64.code);
        node(g, "Unsqueeze", List.of("h", "axes"), "h1");
        node(g, "Concat", List.of("n1", "h1", "minus1"), "target2").with("axis", 0);
        node(g, "Reshape", List.of("x", "target2"), "split");
        g.outputs().add(new ValueInfo("flat", DataType.FLOAT, new long[] {-1, 72}));
        g.outputs().add(new ValueInfo("split", DataType.FLOAT, new long[] {-1, 4, 18}));
        return g;
    }

    @Test
    void reshapeTargetComputedFromShapeIsFolded() {
        Graph g = dynamicReshape(4);
        RuntimeOracle.check(g);
        ShapeInference.infer(g);
        assertEquals(List.of("Reshape", "Reshape"), g.nodes().stream().map(Node::opType).toList());
        assertArrayEquals(new long[] {4, -1}, g.initializers().get(g.nodes().get(0).input(1)).longs());
        assertArrayEquals(new long[] {4, 4, -1}, g.initializers().get(g.nodes().get(1).input(1)).longs());
        assertArrayEquals(new long[] {4, 72}, g.outputs().get(0).shape());
        assertArrayEquals(new long[] {4, 4, 18}, g.outputs().get(1).shape());
        assertEquals(java.util.Set.of("target", "target2"), g.initializers().keySet(),
                "intermediate constants that only folded nodes read are dropped");
    }

    @Test
    void weightsAreNeverFolded() {
        Graph g = graph(17, 2, 4);
        g.addInitializer("w", RuntimeOracle.randomFloats(4, 3));
        node(g, "Identity", List.of("w"), "w2");
        node(g, "MatMul", List.of("x", "w2"), "y");
        ShapeInference.infer(g);
        assertEquals(List.of("Identity", "MatMul"), g.nodes().stream().map(Node::opType).toList());
    }

    @Test
    void declaredOutputShapeMustAgree() {
        Graph g = graph(17, 2, 4);
        node(g, "Relu", List.of("x"), "y");
        g.outputs().add(new ValueInfo("y", DataType.FLOAT, new long[] {-1, 5}));
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
        assertTrue(e.getMessage().contains("declared as FLOAT Nx5"), e.getMessage());
    }

    @Test
    void aValueWrittenTwiceIsABadGraph() {
        Graph g = graph(17, 2, 4);
        node(g, "Relu", List.of("x"), "y");
        node(g, "Sigmoid", List.of("x"), "y");
        assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
    }
}
