package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/** Builds small CNN graphs for tests, one layer a call, with random weights and module-path node names. */
final class TestNets {
    private final Graph graph = new Graph("test-net");
    private final Random random = new Random(11);
    private int counter;

    /** A net whose input "input" is N x channels x size x size with a symbolic batch. */
    TestNets(long channels, long size) {
        ValueInfo in = new ValueInfo("input", DataType.FLOAT, new long[] {-1, channels, size, size});
        graph.inputs().add(in);
        graph.valueInfo().put("input", in);
    }

    Graph graph() {
        return graph;
    }

    /** A convolution with "same" padding; {@code group} equal to the channels makes it depthwise. */
    String conv(String module, String x, long in, long out, long kernel, long group) {
        String w = weight(module + ".weight", out, in / group, kernel, kernel);
        long pad = kernel / 2;
        return node("Conv", module, List.of(x, w)).withInts("kernel_shape", kernel, kernel)
                .withInts("pads", pad, pad, pad, pad).with("group", group).output(0);
    }

    String conv(String module, String x, long in, long out, long kernel) {
        return conv(module, x, in, out, kernel, 1);
    }

    String bn(String module, String x, long channels) {
        String scale = weight(module + ".weight", channels);
        String bias = weight(module + ".bias", channels);
        String mean = weight(module + ".running_mean", channels);
        String var = constant(module + ".running_var", channels, 1f);
        return node("BatchNormalization", module, List.of(x, scale, bias, mean, var)).output(0);
    }

    String relu(String module, String x) {
        return node("Relu", module, List.of(x)).output(0);
    }

    String add(String module, String a, String b) {
        return node("Add", module, List.of(a, b)).output(0);
    }

    String maxPool(String module, String x) {
        return node("MaxPool", module, List.of(x)).withInts("kernel_shape", 2, 2).withInts("strides", 2, 2)
                .output(0);
    }

    String globalAveragePool(String x) {
        return node("GlobalAveragePool", "", List.of(x)).output(0);
    }

    String flatten(String x) {
        return node("Flatten", "", List.of(x)).output(0);
    }

    String gemm(String module, String x, long in, long out) {
        String w = weight(module + ".weight", out, in);
        String b = weight(module + ".bias", out);
        return node("Gemm", module, List.of(x, w, b)).with("transB", 1L).output(0);
    }

    /** conv-bn-relu, the usual conv group. */
    String convBnRelu(String module, String x, long in, long out, long kernel, long group) {
        String c = conv(module + "/conv", x, in, out, kernel, group);
        return relu(module + "/relu", bn(module + "/bn", c, out));
    }

    /** Global pooling, flattening and a fully connected layer to {@code classes} scores, as the graph's output. */
    Graph classify(String x, long channels, long classes) {
        String logits = gemm("/fc", flatten(globalAveragePool(x)), channels, classes);
        graph.outputs().add(new ValueInfo(logits, DataType.FLOAT, new long[] {-1, classes}));
        return graph;
    }

    Graph output(String x) {
        graph.outputs().add(new ValueInfo(x, DataType.FLOAT, null));
        return graph;
    }

    private Node node(String op, String module, List<String> inputs) {
        int id = counter++;
        String name = module.isEmpty() ? "/" + op + "_" + id : module + "/" + op;
        Node n = new Node(op, name, "", inputs, List.of(name + "_output_" + id), new LinkedHashMap<>());
        graph.add(n);
        return n;
    }

    private String weight(String name, long... shape) {
        float[] v = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * 0.3);
        graph.addInitializer(name, Tensor.ofFloats(shape, v));
        return name;
    }

    private String constant(String name, long size, float value) {
        float[] v = new float[(int) size];
        java.util.Arrays.fill(v, value);
        graph.addInitializer(name, Tensor.ofFloats(new long[] {size}, v));
        return name;
    }

    /** Every output name of the node list, for tests that look a node up. */
    List<String> outputs() {
        List<String> out = new ArrayList<>();
        for (Node n : graph.nodes()) out.addAll(n.outputs());
        return out;
    }
}
