package neuroflux.stages.models;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * Builds a CNN graph the way PyTorch's exporter lays one out: input {@code input} [batch, C, H, W], output
 * {@code logits} [batch, K], parameters named by module path ({@code layer1.0.conv1.weight}), nodes named by
 * scope ({@code /layer1/layer1.0/layer1.0.conv1/Conv}), batch norm in inference form. Each layer method takes its
 * module path and input and returns its output, so branches (residual shortcuts) are plain variables.
 *
 * <p>Every parameter gets its own initializer, even where values coincide (all BN scales start at one): the
 * trainer must see separate parameters, never one tied tensor.
 */
public final class NetworkBuilder {
    /** What PyTorch's BatchNorm2d uses and its exporter writes (momentum 0.9 is ONNX's form of PyTorch's 0.1). */
    static final float BN_EPSILON = 1e-5f;
    static final float BN_MOMENTUM = 0.9f;

    private final Graph graph;
    private final ParameterInit init;
    private final Activation input;
    private final Set<String> nodeNames = new HashSet<>();

    public NetworkBuilder(String graphName, long[] inputChw, long seed) {
        if (inputChw.length != 3) throw new IllegalArgumentException("input must be C, H, W");
        for (long d : inputChw) if (d <= 0) throw new IllegalArgumentException("input dimensions must be positive");
        graph = new Graph(graphName);
        init = new ParameterInit(seed);
        input = new Activation("input", inputChw);
        ValueInfo in = new ValueInfo("input", DataType.FLOAT, batched(inputChw));
        graph.inputs().add(in);
        graph.valueInfo().put(in.name(), in);
    }

    public Activation input() {
        return input;
    }

    /** A 2-D convolution over a feature map; weight [out, in/groups, k, k], Kaiming-normal initialised. */
    public Activation conv(String module, Activation x, long outChannels, int kernel, int stride, int padding,
                           int groups, boolean bias) {
        requireFeatureMap(x, "Conv");
        long in = x.channels();
        if (in % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(module + ": channels " + in + "->" + outChannels
                    + " not divisible by groups " + groups);
        }
        long[] wShape = {outChannels, in / groups, kernel, kernel};
        String weight = parameter(module + ".weight", wShape,
                init.kaimingNormalFanOut(outChannels, (long) kernel * kernel, Shapes.size(wShape)));
        List<String> ins = new ArrayList<>(List.of(x.name(), weight));
        if (bias) {
            // torchvision zeroes conv biases after Kaiming-initialising the weights
            ins.add(parameter(module + ".bias", new long[] {outChannels}, new float[(int) outChannels]));
        }
        long h = outputSize(module, x.height(), kernel, stride, padding);
        long w = outputSize(module, x.width(), kernel, stride, padding);
        Node n = node("Conv", module, ins)
                .withInts("dilations", 1, 1).with("group", groups).withInts("kernel_shape", kernel, kernel)
                .withInts("pads", padding, padding, padding, padding).withInts("strides", stride, stride);
        return new Activation(n.output(0), new long[] {outChannels, h, w});
    }

    /** A convolution without bias padded to keep the size at stride 1, as ResNet and MobileNet use. */
    public Activation conv(String module, Activation x, long outChannels, int kernel, int stride) {
        return conv(module, x, outChannels, kernel, stride, (kernel - 1) / 2, 1, false);
    }

    /** BatchNormalization in inference form with PyTorch's fresh state: scale 1, bias 0, mean 0, variance 1. */
    public Activation batchNorm(String module, Activation x) {
        long c = x.channels();
        long[] s = {c};
        List<String> ins = List.of(x.name(),
                parameter(module + ".weight", s, ParameterInit.filled(c, 1f)),
                parameter(module + ".bias", s, ParameterInit.filled(c, 0f)),
                parameter(module + ".running_mean", s, ParameterInit.filled(c, 0f)),
                parameter(module + ".running_var", s, ParameterInit.filled(c, 1f)));
        Node n = node("BatchNormalization", module, ins)
                .with("epsilon", BN_EPSILON).with("momentum", BN_MOMENTUM).with("training_mode", 0L);
        return new Activation(n.output(0), x.shape());
    }

    public Activation relu(String module, Activation x) {
        return new Activation(node("Relu", module, List.of(x.name())).output(0), x.shape());
    }

    /** ReLU6 as Clip with its bounds as inputs (the opset 11+ form), made by Constant nodes as the exporter does. */
    public Activation relu6(String module, Activation x) {
        String min = node("Constant", module, List.of()).with("value", Attribute.of(Tensor.scalar(0f))).output(0);
        String max = node("Constant", module, List.of()).with("value", Attribute.of(Tensor.scalar(6f))).output(0);
        return new Activation(node("Clip", module, List.of(x.name(), min, max)).output(0), x.shape());
    }

    public Activation maxPool(String module, Activation x, int kernel, int stride) {
        requireFeatureMap(x, "MaxPool");
        long h = outputSize(module, x.height(), kernel, stride, 0);
        long w = outputSize(module, x.width(), kernel, stride, 0);
        Node n = node("MaxPool", module, List.of(x.name()))
                .with("ceil_mode", 0L).withInts("kernel_shape", kernel, kernel)
                .withInts("pads", 0, 0, 0, 0).withInts("strides", stride, stride);
        return new Activation(n.output(0), new long[] {x.channels(), h, w});
    }

    public Activation add(String module, Activation a, Activation b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(module + ": cannot add " + a + " and " + b);
        }
        return new Activation(node("Add", module, List.of(a.name(), b.name())).output(0), a.shape());
    }

    public Activation globalAvgPool(String module, Activation x) {
        requireFeatureMap(x, "GlobalAveragePool");
        return new Activation(node("GlobalAveragePool", module, List.of(x.name())).output(0),
                new long[] {x.channels(), 1, 1});
    }

    public Activation flatten(String module, Activation x) {
        Node n = node("Flatten", module, List.of(x.name())).with("axis", 1L);
        return new Activation(n.output(0), new long[] {Shapes.size(x.shape())});
    }

    /** A fully connected layer as the exporter writes nn.Linear: Gemm with weight [out, in] and transB. */
    public Activation linear(String module, Activation x, long outFeatures) {
        if (x.shape().length != 1) throw new IllegalArgumentException(module + ": Linear needs a flat input, got " + x);
        long in = x.channels();
        String weight = parameter(module + ".weight", new long[] {outFeatures, in},
                init.linearDefault(in, outFeatures * in));
        String bias = parameter(module + ".bias", new long[] {outFeatures}, init.linearDefault(in, outFeatures));
        Node n = node("Gemm", module, List.of(x.name(), weight, bias))
                .with("alpha", 1f).with("beta", 1f).with("transB", 1L);
        return new Activation(n.output(0), new long[] {outFeatures});
    }

    /** Ends the network at {@code logits}, which must be the last layer's [K] output, and returns the graph. */
    public Graph finish(Activation logits) {
        Node last = graph.nodes().getLast();
        if (!last.output(0).equals(logits.name()) || logits.shape().length != 1) {
            throw new IllegalArgumentException("the logits must be the flat output of the last layer, got " + logits);
        }
        last.outputs().set(0, "logits");
        ValueInfo out = new ValueInfo("logits", DataType.FLOAT, batched(logits.shape()));
        graph.outputs().add(out);
        graph.valueInfo().put(out.name(), out);
        return graph;
    }

    private String parameter(String name, long[] shape, float[] values) {
        if (graph.isInitializer(name)) throw new IllegalStateException("parameter " + name + " defined twice");
        graph.addInitializer(name, Tensor.ofFloats(shape, values));
        return name;
    }

    /**
     * Adds a node named by the exporter's convention: the scope of each enclosing module, then the operator, with
     * _1, _2... when a module applies the same operator again; its output is the node name + "_output_0".
     */
    private Node node(String opType, String module, List<String> inputs) {
        StringBuilder scope = new StringBuilder();
        if (!module.isEmpty()) {
            String[] parts = module.split("\\.");
            for (int i = 0; i < parts.length; i++) {
                scope.append('/').append(String.join(".", java.util.Arrays.copyOf(parts, i + 1)));
            }
        }
        String base = scope + "/" + opType;
        String name = base;
        for (int i = 1; !nodeNames.add(name); i++) name = base + "_" + i;
        Node n = new Node(opType, name, inputs, List.of(name + "_output_0"));
        graph.add(n);
        return n;
    }

    private static long outputSize(String module, long size, int kernel, int stride, int padding) {
        long out = (size + 2L * padding - kernel) / stride + 1;
        if (size + 2L * padding < kernel) {
            throw new BadInputException(module + ": a feature map of size " + size + " is smaller than its "
                    + kernel + "x" + kernel + " window; use a larger input");
        }
        return out;
    }

    private static void requireFeatureMap(Activation x, String op) {
        if (!x.isFeatureMap()) throw new IllegalArgumentException(op + " needs a C×H×W feature map, got " + x);
    }

    private static long[] batched(long[] perExample) {
        long[] s = new long[perExample.length + 1];
        s[0] = -1;
        System.arraycopy(perExample, 0, s, 1, perExample.length);
        return s;
    }
}
