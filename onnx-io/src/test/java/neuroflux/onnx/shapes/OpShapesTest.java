package neuroflux.onnx.shapes;

import static neuroflux.onnx.shapes.RuntimeOracle.graph;
import static neuroflux.onnx.shapes.RuntimeOracle.node;
import static neuroflux.onnx.shapes.RuntimeOracle.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every operator's shape rule against ONNX Runtime on small graphs that exercise its attributes. */
class OpShapesTest {
    static Stream<Named<Supplier<Graph>>> cases() {
        return Stream.of(
                Named.of("Conv with bias, pads and strides", () -> {
                    Graph g = graph(17, 2, 3, 9, 9);
                    g.addInitializer("w", randomFloats(4, 3, 3, 3));
                    g.addInitializer("b", randomFloats(4));
                    node(g, "Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 1, 1, 1).withInts("strides", 2, 2);
                    return g;
                }),
                Named.of("Conv depthwise with dilations", () -> {
                    Graph g = graph(17, 1, 4, 10, 10);
                    g.addInitializer("w", randomFloats(4, 1, 3, 3));
                    node(g, "Conv", List.of("x", "w"), "y").with("group", 4).withInts("dilations", 2, 2);
                    return g;
                }),
                Named.of("Conv auto_pad SAME_UPPER and VALID", () -> {
                    Graph g = graph(17, 1, 2, 7, 8);
                    g.addInitializer("w", randomFloats(3, 2, 3, 2));
                    node(g, "Conv", List.of("x", "w"), "y").with("auto_pad", Attribute.of("SAME_UPPER"))
                            .withInts("strides", 2, 3);
                    node(g, "Conv", List.of("x", "w"), "z").with("auto_pad", Attribute.of("VALID"))
                            .withInts("strides", 3, 2);
                    return g;
                }),
                Named.of("ConvTranspose with output_padding and groups", () -> {
                    Graph g = graph(17, 1, 4, 5, 5);
                    g.addInitializer("w", randomFloats(4, 2, 3, 3));
                    node(g, "ConvTranspose", List.of("x", "w"), "y").withInts("strides", 2, 2)
                            .withInts("pads", 1, 1, 1, 1).withInts("output_padding", 1, 0).with("group", 2);
                    node(g, "ConvTranspose", List.of("x", "w"), "z").withInts("strides", 2, 2)
                            .withInts("output_shape", 10, 11);
                    return g;
                }),
                Named.of("BatchNormalization inference and training", () -> {
                    Graph g = graph(17, 2, 3, 4, 4);
                    for (String p : new String[] {"s", "b", "m"}) g.addInitializer(p, randomFloats(3));
                    g.addInitializer("v", Tensor.ofFloats(new long[] {3}, 1, 2, 3));
                    node(g, "BatchNormalization", List.of("x", "s", "b", "m", "v"), "y");
                    node(g, "BatchNormalization", List.of("x", "s", "b", "m", "v"), "z", "rm", "rv")
                            .with("training_mode", 1);
                    return g;
                }),
                Named.of("MaxPool ceil_mode with Indices, pads and dilations", () -> {
                    Graph g = graph(17, 1, 2, 7, 7);
                    node(g, "MaxPool", List.of("x"), "y", "i").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2)
                            .with("ceil_mode", 1);
                    node(g, "MaxPool", List.of("x"), "z").withInts("kernel_shape", 3, 2).withInts("pads", 1, 0, 1, 1)
                            .withInts("dilations", 2, 1);
                    node(g, "MaxPool", List.of("x"), "c").withInts("kernel_shape", 3, 3).withInts("strides", 2, 2)
                            .withInts("pads", 1, 1, 1, 1).with("ceil_mode", 1);
                    return g;
                }),
                Named.of("MaxUnpool with and without output_shape", () -> {
                    Graph g = graph(17, 1, 2, 7, 7);
                    node(g, "MaxPool", List.of("x"), "y", "i").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
                    g.addInitializer("shape", Tensor.vector(1, 2, 7, 7));
                    node(g, "MaxUnpool", List.of("y", "i", "shape"), "v").withInts("kernel_shape", 2, 2)
                            .withInts("strides", 2, 2);
                    return g;
                }),
                Named.of("MaxUnpool to the size that the attributes give", () -> {
                    Graph g = graph(17, 1, 2, 6, 8);
                    node(g, "MaxPool", List.of("x"), "y", "i").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
                    node(g, "MaxUnpool", List.of("y", "i"), "u").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
                    return g;
                }),
                Named.of("AveragePool and global pools", () -> {
                    Graph g = graph(17, 2, 3, 8, 6);
                    node(g, "AveragePool", List.of("x"), "y").withInts("kernel_shape", 3, 3).withInts("strides", 2, 2)
                            .withInts("pads", 1, 1, 1, 1).with("count_include_pad", 1);
                    node(g, "GlobalAveragePool", List.of("x"), "a");
                    node(g, "GlobalMaxPool", List.of("x"), "m");
                    return g;
                }),
                Named.of("Flatten, Reshape with 0 and -1, Transpose", () -> {
                    Graph g = graph(17, 2, 3, 4, 5);
                    node(g, "Flatten", List.of("x"), "f2").with("axis", 2);
                    node(g, "Flatten", List.of("x"), "f0").with("axis", 0);
                    g.addInitializer("t", Tensor.vector(0, -1, 5));
                    node(g, "Reshape", List.of("x", "t"), "r");
                    node(g, "Transpose", List.of("x"), "tr").withInts("perm", 0, 2, 3, 1);
                    node(g, "Transpose", List.of("x"), "rev");
                    return g;
                }),
                Named.of("Gemm with transposes and MatMul", () -> {
                    Graph g = graph(17, 5, 4);
                    g.addInitializer("w", randomFloats(6, 4));
                    g.addInitializer("c", randomFloats(6));
                    node(g, "Gemm", List.of("x", "w", "c"), "y").with("transB", 1);
                    node(g, "Gemm", List.of("x", "x"), "z").with("transA", 1);
                    g.addInitializer("m3", randomFloats(3, 4, 2));
                    node(g, "MatMul", List.of("x", "m3"), "mm");
                    g.addInitializer("v", randomFloats(4));
                    node(g, "MatMul", List.of("x", "v"), "mv");
                    node(g, "MatMul", List.of("v", "m3"), "vm");
                    return g;
                }),
                Named.of("Concat and unary operators", () -> {
                    Graph g = graph(17, 2, 3, 4);
                    String y = "x";
                    for (String op : new String[] {"Relu", "Sigmoid", "Tanh", "Sqrt", "Neg", "Exp", "Abs", "Log",
                            "Reciprocal", "Identity", "Softmax", "LogSoftmax"}) {
                        node(g, op, List.of(y), op + "_out");
                        y = op + "_out";
                    }
                    g.addInitializer("lo", Tensor.scalar(0f));
                    g.addInitializer("hi", Tensor.scalar(6f));
                    node(g, "Clip", List.of(y, "lo", "hi"), "clipped");
                    node(g, "Concat", List.of("x", "clipped", "x"), "cat").with("axis", -2);
                    node(g, "Not", List.of("notin"), "not");
                    g.addInitializer("notin", Values.bools(true, false));
                    return g;
                }),
                Named.of("broadcasting arithmetic and comparisons", () -> {
                    Graph g = graph(17, 2, 3, 4, 5);
                    g.addInitializer("c", randomFloats(3, 1, 1));
                    g.addInitializer("two", Tensor.scalar(2f));
                    g.addInitializer("row", randomFloats(1, 5));
                    node(g, "Add", List.of("x", "c"), "add");
                    node(g, "Sub", List.of("row", "x"), "sub");
                    node(g, "Mul", List.of("x", "two"), "mul");
                    node(g, "Div", List.of("c", "x"), "div");
                    node(g, "Pow", List.of("x", "two"), "pow");
                    node(g, "Sum", List.of("x", "c", "row"), "sum");
                    node(g, "Max", List.of("x", "row"), "max");
                    node(g, "Min", List.of("c", "x", "two"), "min");
                    node(g, "Equal", List.of("x", "row"), "eq");
                    node(g, "Greater", List.of("x", "c"), "gt");
                    node(g, "Less", List.of("two", "x"), "lt");
                    node(g, "Where", List.of("gt", "x", "row"), "where");
                    return g;
                }),
                Named.of("Dropout with mask", () -> {
                    Graph g = graph(17, 2, 3);
                    g.addInitializer("ratio", Tensor.scalar(0.5f));
                    node(g, "Dropout", List.of("x", "ratio"), "y", "mask");
                    return g;
                }),
                Named.of("Reduce operators, attribute and input axes", () -> {
                    Graph g = graph(17, 2, 3, 4, 5);
                    node(g, "ReduceMean", List.of("x"), "mean").withInts("axes", 2, 3).with("keepdims", 0);
                    g.addInitializer("axes", Tensor.vector(-1));
                    node(g, "ReduceSum", List.of("x", "axes"), "sum");
                    node(g, "ReduceMax", List.of("x"), "max");
                    node(g, "ArgMax", List.of("x"), "arg").with("axis", 1).with("keepdims", 0);
                    return g;
                }),
                Named.of("ReduceMean with input axes (opset 18)", () -> {
                    Graph g = graph(18, 2, 3, 4);
                    g.addInitializer("axes", Tensor.vector(0, 2));
                    node(g, "ReduceMean", List.of("x", "axes"), "mean");
                    node(g, "ReduceMax", List.of("x", "axes"), "max").with("keepdims", 0);
                    return g;
                }),
                Named.of("Slice with axes and negative steps", () -> {
                    Graph g = graph(17, 6, 7, 8);
                    g.addInitializer("s", Tensor.vector(-1, 1));
                    g.addInitializer("e", Tensor.vector(Long.MIN_VALUE, 100));
                    g.addInitializer("a", Tensor.vector(2, 0));
                    g.addInitializer("st", Tensor.vector(-3, 2));
                    node(g, "Slice", List.of("x", "s", "e", "a", "st"), "y");
                    g.addInitializer("s2", Tensor.vector(2));
                    g.addInitializer("e2", Tensor.vector(-1));
                    node(g, "Slice", List.of("x", "s2", "e2"), "z");
                    return g;
                }),
                Named.of("Slice with steps far beyond the axis (once an overflow)", () -> {
                    Graph g = graph(17, 6, 7);
                    g.addInitializer("s", Tensor.vector(1, -2));
                    g.addInitializer("e", Tensor.vector(6, Long.MIN_VALUE));
                    g.addInitializer("a", Tensor.vector(0, 1));
                    g.addInitializer("st", Tensor.vector(Long.MAX_VALUE, -Long.MAX_VALUE));
                    node(g, "Slice", List.of("x", "s", "e", "a", "st"), "y");
                    return g;
                }),
                Named.of("Split by input, equally, and by num_outputs (opset 18)", () -> {
                    Graph g = graph(18, 2, 7, 4);
                    g.addInitializer("sizes", Tensor.vector(2, 5));
                    node(g, "Split", List.of("x", "sizes"), "a", "b").with("axis", 1);
                    node(g, "Split", List.of("x"), "c", "d").with("axis", -1).with("num_outputs", 2);
                    node(g, "Split", List.of("x"), "e", "f", "h").with("axis", 1).with("num_outputs", 3);
                    return g;
                }),
                Named.of("Split with split attribute (opset 11)", () -> {
                    Graph g = graph(11, 2, 7, 4);
                    node(g, "Split", List.of("x"), "a", "b").with("axis", 1).withInts("split", 3, 4);
                    node(g, "Unsqueeze", List.of("x"), "u").withInts("axes", 0, -1);
                    node(g, "Squeeze", List.of("u"), "s");
                    node(g, "ReduceSum", List.of("x"), "r").withInts("axes", 1);
                    return g;
                }),
                Named.of("Shape, Gather, Unsqueeze, Squeeze, Cast, Expand, Tile", () -> {
                    Graph g = graph(17, 2, 3, 1, 5);
                    node(g, "Shape", List.of("x"), "shape");
                    node(g, "Shape", List.of("x"), "tail").with("start", -2);
                    g.addInitializer("i", Tensor.ofLongs(new long[] {2, 2}, 0, 2, -3, 1));
                    node(g, "Gather", List.of("x", "i"), "gathered").with("axis", 1);
                    g.addInitializer("axes", Tensor.vector(0, 3));
                    node(g, "Unsqueeze", List.of("x", "axes"), "unsq");
                    g.addInitializer("one", Tensor.vector(2));
                    node(g, "Squeeze", List.of("x", "one"), "sq");
                    node(g, "Squeeze", List.of("x"), "sqall");
                    node(g, "Cast", List.of("x"), "cast").with("to", DataType.INT64.code);
                    g.addInitializer("to", Tensor.vector(4, 1, 3, 1, 1));
                    node(g, "Expand", List.of("x", "to"), "exp");
                    g.addInitializer("rep", Tensor.vector(1, 2, 3, 1));
                    node(g, "Tile", List.of("x", "rep"), "tile");
                    return g;
                }),
                Named.of("OneHot, scatters and GatherElements", () -> {
                    Graph g = graph(17, 3, 4);
                    g.addInitializer("labels", Tensor.vector(2, 0, 3));
                    g.addInitializer("depth", Tensor.ofLongs(new long[0], 5));
                    g.addInitializer("onoff", Tensor.ofFloats(new long[] {2}, 0, 1));
                    node(g, "OneHot", List.of("labels", "depth", "onoff"), "hot");
                    g.addInitializer("idx", Tensor.ofLongs(new long[] {3, 1}, 1, 0, 3));
                    node(g, "GatherElements", List.of("x", "idx"), "ge").with("axis", 1);
                    g.addInitializer("upd", randomFloats(3, 1));
                    node(g, "ScatterElements", List.of("x", "idx", "upd"), "se").with("axis", 1);
                    g.addInitializer("nd", Tensor.ofLongs(new long[] {2, 2}, 0, 1, 2, 3));
                    g.addInitializer("ndu", randomFloats(2));
                    node(g, "ScatterND", List.of("x", "nd", "ndu"), "snd");
                    return g;
                }),
                Named.of("Pad, Range, Constant and ConstantOfShape", () -> {
                    Graph g = graph(17, 1, 2, 3, 4);
                    g.addInitializer("pads", Tensor.vector(0, 0, 1, 2, 0, 1, 3, 0));
                    node(g, "Pad", List.of("x", "pads"), "pad");
                    g.addInitializer("start", Tensor.ofLongs(new long[0], 1));
                    g.addInitializer("limit", Tensor.ofLongs(new long[0], 10));
                    g.addInitializer("delta", Tensor.ofLongs(new long[0], 3));
                    node(g, "Range", List.of("start", "limit", "delta"), "range");
                    node(g, "Constant", List.of(), "k").with("value_ints", Attribute.ofInts(2, 3));
                    node(g, "ConstantOfShape", List.of("k"), "zeros");
                    node(g, "Add", List.of("zeros", "zeros"), "twice");
                    return g;
                }),
                Named.of("Pad with axes (opset 18)", () -> {
                    Graph g = graph(18, 1, 2, 3, 4);
                    g.addInitializer("pads", Tensor.vector(1, 2, 3, 4));
                    g.addInitializer("value", Tensor.scalar(1f));
                    g.addInitializer("axes", Tensor.vector(-1, 1));
                    node(g, "Pad", List.of("x", "pads", "value", "axes"), "pad");
                    return g;
                }));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inferredShapesMatchOnnxRuntime(Supplier<Graph> build) {
        RuntimeOracle.check(build.get());
    }

    @Test
    void everyOperatorOfTheContractIsSupported() {
        for (String op : ("Conv ConvTranspose BatchNormalization Relu Clip Sigmoid Tanh Mul Add Sub Div Pow Sqrt Neg"
                + " Exp Log Abs Reciprocal MaxPool AveragePool GlobalAveragePool GlobalMaxPool Flatten Reshape Gemm"
                + " MatMul Concat Identity Dropout Constant ConstantOfShape ReduceMean ReduceSum ReduceMax Transpose"
                + " Slice Split Shape Gather Unsqueeze Squeeze Cast Expand Tile Softmax LogSoftmax ArgMax Equal"
                + " Greater Less Where Not OneHot ScatterElements ScatterND GatherElements Sum Max Min Range Pad")
                .split(" ")) {
            assertTrue(OpShapes.supported().contains(op), op);
        }
    }

    @Test
    void unknownOperatorNamesTheNode() {
        Graph g = graph(17, 1, 2);
        g.add(new neuroflux.onnx.Node("Foo", "x", List.of("x"), List.of("y")));
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
        assertEquals("node 'x' (Foo): operator Foo is not supported by neuroflux", e.getMessage());
    }

    @Test
    void otherDomainsAreRejected() {
        Graph g = graph(17, 1, 2);
        g.add(new neuroflux.onnx.Node("Relu", "r", "com.microsoft", List.of("x"), List.of("y"),
                new java.util.LinkedHashMap<>()));
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
        assertTrue(e.getMessage().contains("domain 'com.microsoft'"), e.getMessage());
    }

    @Test
    void mismatchedConvChannelsAreABadModel() {
        Graph g = graph(17, 1, 3, 8, 8);
        g.addInitializer("w", randomFloats(4, 2, 3, 3));
        node(g, "Conv", List.of("x", "w"), "y");
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
        assertTrue(e.getMessage().startsWith("node 'Conv_") && e.getMessage().contains("3 channels"), e.getMessage());
    }

    @Test
    void reshapeToARuntimeTargetCannotBeInferred() {
        Graph g = graph(17, 2, 3);
        node(g, "Cast", List.of("x"), "t").with("to", DataType.INT64.code);
        g.addInitializer("flat", Tensor.vector(-1));
        node(g, "Reshape", List.of("t", "flat"), "tv");
        node(g, "Reshape", List.of("x", "tv"), "y");
        BadInputException e = assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
        assertTrue(e.getMessage().contains("not a constant"), e.getMessage());
    }

    @Test
    void unknownInputShapeIsRejected() {
        Graph g = graph(17, -1, 3);
        node(g, "Relu", List.of("x"), "y");
        assertThrows(BadInputException.class, () -> ShapeInference.infer(g));
    }

    /** Boolean tensors for test graphs. */
    static final class Values {
        static Tensor bools(boolean... b) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(b.length);
            for (boolean v : b) buf.put((byte) (v ? 1 : 0));
            return new Tensor(DataType.BOOL, new long[] {b.length}, buf.flip());
        }
    }
}
