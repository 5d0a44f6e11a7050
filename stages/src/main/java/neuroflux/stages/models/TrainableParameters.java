package neuroflux.stages.models;

import java.util.LinkedHashSet;
import java.util.Set;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * The parameters of a graph in PyTorch's sense, what {@code model.parameters()} counts: the floating-point
 * initializers read as weights or biases of Conv, ConvTranspose, Gemm and MatMul and as scale or bias of
 * BatchNormalization. Batch-norm running statistics are buffers, and constants such as a Clip's bounds are not
 * parameters either, so neither is counted or trained.
 */
public final class TrainableParameters {
    private TrainableParameters() {}

    public static Set<String> names(Graph g) {
        Set<String> slots = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            switch (n.opType()) {
                case "Conv", "ConvTranspose", "Gemm" -> {
                    slots.add(n.input(1));
                    slots.add(n.input(2));
                }
                case "MatMul" -> {
                    slots.add(n.input(0));
                    slots.add(n.input(1));
                }
                case "BatchNormalization" -> {
                    slots.add(n.input(1));
                    slots.add(n.input(2));
                }
                default -> { }
            }
        }
        Set<String> names = new LinkedHashSet<>();
        g.initializers().forEach((name, t) -> {
            if (t.type().isFloating() && slots.contains(name)) names.add(name);
        });
        return names;
    }

    /** The number of trainable values, comparable with sum(p.numel() for p in model.parameters()). */
    public static long count(Graph g) {
        long n = 0;
        for (String name : names(g)) {
            Tensor t = g.initializers().get(name);
            n += t.size();
        }
        return n;
    }
}
