package neuroflux.stages.heads;

import java.util.List;
import java.util.Random;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/**
 * Appends auxiliary classifier heads to a graph: after a unit's output {@code [N, C, H, W]},
 * {@code Conv 3×3 (pad 1, F filters, no bias: batch norm follows) → BatchNormalization → Relu →
 * AveragePool to at most 2×2 (see HeadPooling) → Flatten → Gemm to the classes}.
 *
 * <p>Parameters are fresh: convolution and classifier weights are He-initialised (normal, standard deviation
 * {@code sqrt(2 / fan_in)}), biases zero, batch-norm scale one, running mean zero and variance one. The random
 * numbers come from {@link Random} seeded with the given seed and the head's name, so the same seed and name give
 * the same head on any JVM, and different heads differ. Everything the head adds is named with its name as prefix
 * ({@code <head>.conv.weight}, {@code <head>.logits}, ...).
 */
public final class AuxiliaryHeads {
    private final HeadWidthRule widthRule;
    private final long seed;

    public AuxiliaryHeads(HeadWidthRule widthRule, long seed) {
        this.widthRule = widthRule;
        this.seed = seed;
    }

    public HeadWidthRule widthRule() {
        return widthRule;
    }

    /**
     * Appends a head reading {@code unitOutput}, whose shape is {@code unitOutputShape} ({@code [N, C, H, W]}, N may
     * be unknown), and returns what it added. The head's values get their shapes in the graph's value infos.
     *
     * @param unit the unit's activation memory and multiply-adds per sample, which the adaptive width rule keeps
     *        the head's a fraction of
     */
    public Head append(Graph graph, String headName, String unitOutput, long[] unitOutputShape, int classes,
                       UnitCost unit) {
        if (unitOutputShape.length != 4 || unitOutputShape[1] < 1 || unitOutputShape[2] < 1 || unitOutputShape[3] < 1) {
            throw new IllegalArgumentException("a head needs a unit output of known shape [N, C, H, W], and '"
                    + unitOutput + "' has " + java.util.Arrays.toString(unitOutputShape));
        }
        if (classes < 1) throw new IllegalArgumentException("a head needs at least one class, not " + classes);
        String conv = headName + ".conv";
        if (graph.shapeOf(conv) != null || graph.producers().containsKey(conv)) {
            throw new IllegalArgumentException("the graph already has a head named '" + headName + "'");
        }
        long n = unitOutputShape[0];
        long c = unitOutputShape[1];
        long h = unitOutputShape[2];
        long w = unitOutputShape[3];
        int f = widthRule.filters(c, h, w, unit);
        HeadPooling pooling = HeadPooling.of(h, w);
        long features = f * pooling.gridCells();
        Random random = new Random(seed * 1_000_003L + headName.hashCode());

        String convWeight = headName + ".conv.weight";
        String bnScale = headName + ".bn.weight";
        String bnBias = headName + ".bn.bias";
        String bnMean = headName + ".bn.running_mean";
        String bnVar = headName + ".bn.running_var";
        String fcWeight = headName + ".fc.weight";
        String fcBias = headName + ".fc.bias";
        graph.addInitializer(convWeight, heNormal(random, new long[] {f, c, 3, 3}, c * 9));
        graph.addInitializer(bnScale, filled(f, 1));
        graph.addInitializer(bnBias, filled(f, 0));
        graph.addInitializer(bnMean, filled(f, 0));
        graph.addInitializer(bnVar, filled(f, 1));
        graph.addInitializer(fcWeight, heNormal(random, new long[] {classes, features}, features));
        graph.addInitializer(fcBias, filled(classes, 0));

        long[] map = {n, f, h, w};
        graph.add(new Node("Conv", headName + "/Conv", List.of(unitOutput, convWeight), List.of(conv)))
                .withInts("kernel_shape", 3, 3).withInts("pads", 1, 1, 1, 1).withInts("strides", 1, 1);
        declare(graph, conv, map);
        String bn = headName + ".bn";
        graph.add(new Node("BatchNormalization", headName + "/BatchNormalization",
                List.of(conv, bnScale, bnBias, bnMean, bnVar), List.of(bn)))
                .with("epsilon", 1e-5f).with("momentum", 0.9f);
        declare(graph, bn, map);
        String relu = headName + ".relu";
        graph.add(new Node("Relu", headName + "/Relu", List.of(bn), List.of(relu)));
        declare(graph, relu, map);
        String pooled = relu;
        if (pooling.pools()) {
            pooled = headName + ".pool";
            graph.add(new Node("AveragePool", headName + "/AveragePool", List.of(relu), List.of(pooled)))
                    .withInts("kernel_shape", pooling.kernelHeight(), pooling.kernelWidth())
                    .withInts("strides", pooling.kernelHeight(), pooling.kernelWidth())
                    .withInts("pads", 0, 0, pooling.padHeight(), pooling.padWidth())
                    .with("count_include_pad", 0L);
            declare(graph, pooled, new long[] {n, f, pooling.gridHeight(), pooling.gridWidth()});
        }
        String flat = headName + ".flat";
        graph.add(new Node("Flatten", headName + "/Flatten", List.of(pooled), List.of(flat))).with("axis", 1L);
        declare(graph, flat, new long[] {n, features});
        String logits = headName + ".logits";
        graph.add(new Node("Gemm", headName + "/Gemm", List.of(flat, fcWeight, fcBias), List.of(logits)))
                .with("transB", Attribute.of(1L));
        declare(graph, logits, new long[] {n, classes});

        List<String> parameters = List.of(convWeight, bnScale, bnBias, fcWeight, fcBias);
        long count = 0;
        for (String p : parameters) count += graph.initializers().get(p).size();
        long activation = f * HeadWidthRule.activationBytesPerSamplePerFilter(h, w);
        long multiplyAdds = f * HeadWidthRule.convolutionMultiplyAddsPerFilter(c, h, w) + features * classes;
        return new Head(headName, unitOutput, logits, f, pooling, parameters, List.of(bnMean, bnVar), count,
                activation, multiplyAdds);
    }

    private static void declare(Graph graph, String value, long[] shape) {
        graph.valueInfo().put(value, new ValueInfo(value, DataType.FLOAT, shape));
    }

    private static Tensor heNormal(Random random, long[] shape, long fanIn) {
        int size = Math.toIntExact(neuroflux.onnx.Shapes.size(shape));
        float[] values = new float[size];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < size; i++) values[i] = (float) (random.nextGaussian() * std);
        return Tensor.ofFloats(shape, values);
    }

    private static Tensor filled(long length, float value) {
        float[] values = new float[Math.toIntExact(length)];
        java.util.Arrays.fill(values, value);
        return Tensor.ofFloats(new long[] {length}, values);
    }
}
