package neuroflux.stages.train;

import java.util.List;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.stages.data.Dataset;

/** Small graphs and data sets for trainer tests. */
final class TinyModels {
    private TinyModels() {}

    static Tensor random(Random r, double scale, long... shape) {
        float[] v = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * scale);
        return Tensor.ofFloats(shape, v);
    }

    static Tensor filled(float value, long... shape) {
        float[] v = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(shape))];
        java.util.Arrays.fill(v, value);
        return Tensor.ofFloats(shape, v);
    }

    static Node node(Graph g, String op, List<String> in, String out) {
        return g.add(new Node(op, op + "_" + g.nodes().size(), in, List.of(out)));
    }

    /** Conv 3x3 -> BatchNormalization -> Relu -> MaxPool 2 -> GlobalAveragePool -> Flatten -> Gemm, on C x 8 x 8. */
    static Graph convNet(long batch, int channels, int classes, long seed) {
        Random r = new Random(seed);
        Graph g = new Graph("tiny");
        ValueInfo in = new ValueInfo("input", DataType.FLOAT, new long[] {batch, channels, 8, 8});
        g.inputs().add(in);
        g.addInitializer("conv.weight", random(r, 0.3, 8, channels, 3, 3));
        g.addInitializer("conv.bias", random(r, 0.1, 8));
        g.addInitializer("bn.weight", filled(1, 8));
        g.addInitializer("bn.bias", filled(0, 8));
        g.addInitializer("bn.running_mean", filled(0, 8));
        g.addInitializer("bn.running_var", filled(1, 8));
        g.addInitializer("fc.weight", random(r, 0.3, classes, 8));
        g.addInitializer("fc.bias", filled(0, classes));
        node(g, "Conv", List.of("input", "conv.weight", "conv.bias"), "c").withInts("pads", 1, 1, 1, 1)
                .withInts("kernel_shape", 3, 3);
        node(g, "BatchNormalization", List.of("c", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), "b")
                .with("momentum", 0.9f).with("epsilon", 1e-5f);
        node(g, "Relu", List.of("b"), "r");
        node(g, "MaxPool", List.of("r"), "m").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
        node(g, "GlobalAveragePool", List.of("m"), "p");
        node(g, "Flatten", List.of("p"), "f");
        node(g, "Gemm", List.of("f", "fc.weight", "fc.bias"), "logits").with("transB", 1);
        g.outputs().add(new ValueInfo("logits", DataType.FLOAT, new long[] {batch, classes}));
        return g;
    }

    /** Images whose class decides which quadrant is bright, plus noise: learnable by the tiny net. */
    static Dataset quadrants(int size, int channels, long seed) {
        Random r = new Random(seed);
        int sample = channels * 64;
        float[] data = new float[size * sample];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = r.nextInt(4);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        int quadrant = (y / 4) * 2 + x / 4;
                        data[i * sample + c * 64 + y * 8 + x] = (quadrant == labels[i] ? 1f : 0f)
                                + (float) r.nextGaussian() * 0.3f;
                    }
                }
            }
        }
        return new Dataset() {
            public int size() {
                return size;
            }

            public long[] sampleShape() {
                return new long[] {channels, 8, 8};
            }

            public int classes() {
                return 4;
            }

            public void copySample(int index, float[] dst, int offset) {
                System.arraycopy(data, index * sample, dst, offset, sample);
            }

            public int label(int index) {
                return labels[index];
            }
        };
    }
}
