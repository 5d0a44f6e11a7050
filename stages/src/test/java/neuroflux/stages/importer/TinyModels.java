package neuroflux.stages.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;

/** Small classifiers built with the Graph API, to import and to break in tests. */
final class TinyModels {
    private TinyModels() {}

    /** x [N,3,8,8] → Conv → Relu → GlobalAveragePool → Flatten → Gemm → logits [N,5]. */
    static Graph cnn() {
        Graph g = new Graph("tiny");
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, new long[] {-1, 3, 8, 8}));
        g.addInitializer("conv.w", random(4, 3, 3, 3));
        g.addInitializer("conv.b", random(4));
        g.addInitializer("fc.w", random(5, 4));
        g.addInitializer("fc.b", random(5));
        g.add(new Node("Conv", "conv", List.of("x", "conv.w", "conv.b"), List.of("c"))).withInts("pads", 1, 1, 1, 1);
        g.add(new Node("Relu", "relu", List.of("c"), List.of("r")));
        g.add(new Node("GlobalAveragePool", "gap", List.of("r"), List.of("p")));
        g.add(new Node("Flatten", "flatten", List.of("p"), List.of("f")));
        g.add(new Node("Gemm", "fc", List.of("f", "fc.w", "fc.b"), List.of("logits"))).with("transB", 1);
        g.outputs().add(new ValueInfo("logits", DataType.FLOAT, new long[] {-1, 5}));
        return g;
    }

    static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** Replaces a node by one of another operator with the same inputs, outputs and attributes. */
    static void retype(Graph g, String name, String opType) {
        Node old = node(g, name);
        g.nodes().set(g.nodes().indexOf(old),
                new Node(opType, old.name(), old.domain(), old.inputs(), old.outputs(), old.attributes()));
    }

    static Path write(Graph g, Path dir) throws IOException {
        Path file = dir.resolve("model.onnx");
        OnnxModels.write(g, file);
        return file;
    }

    static Tensor random(long... shape) {
        Random r = new Random(shape.length * 17L + shape[0]);
        float[] v = new float[(int) neuroflux.onnx.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() - 0.5f;
        return Tensor.ofFloats(shape, v);
    }
}
