package neuroflux.onnx.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;

/**
 * Checks shape inference against ONNX Runtime: the original graph runs with every node output exposed, and each
 * inferred shape (and each folded value) must equal what the runtime computed.
 */
final class RuntimeOracle {
    private RuntimeOracle() {}

    /** Infers a copy of the graph, compares it with a run of the original, and returns the inferred copy. */
    static Graph check(Graph original) {
        // every node output gets an Identity reader that is a graph output, so folded values are kept to compare
        Graph inferred = original.copy();
        for (Node n : original.nodes()) {
            for (String o : n.outputs()) {
                if (o.isEmpty()) continue;
                inferred.add(new Node("Identity", "probe_" + o, List.of(o), List.of("probe_" + o)));
                inferred.outputs().add(new ValueInfo("probe_" + o, null, null));
            }
        }
        ShapeInference.infer(inferred);

        Graph probe = original.copy();
        probe.outputs().clear();
        for (Node n : original.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) probe.outputs().add(new ValueInfo(o, inferred.typeOf(o), null));
            }
        }
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        Random random = new Random(7);
        for (ValueInfo in : original.inputs()) {
            float[] v = new float[Math.toIntExact(Shapes.size(in.shape()))];
            for (int i = 0; i < v.length; i++) v[i] = random.nextFloat() + 0.5f;
            feeds.put(in.name(), Tensor.ofFloats(in.shape(), v).cast(in.type()));
        }
        Map<String, Tensor> actual;
        try (OrtSession s = OrtSession.open(probe, RuntimeOptions.cpu(1))) {
            actual = s.run(feeds);
        }
        for (var e : actual.entrySet()) {
            String name = e.getKey();
            long[] shape = inferred.shapeOf(name);
            assertNotNull(shape, "no shape inferred for " + name);
            assertArrayEquals(e.getValue().shape(), shape, "shape of " + name);
            assertEquals(e.getValue().type(), inferred.typeOf(name), "type of " + name);
            Tensor folded = inferred.initializers().get(name);
            if (folded != null) {
                assertArrayEquals(e.getValue().doubles(), folded.doubles(), 0, "folded value of " + name);
            }
        }
        return inferred;
    }

    static Graph graph(int opset, long... inputShape) {
        Graph g = new Graph("case");
        g.opsets().put("", (long) opset);
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, inputShape));
        return g;
    }

    static Node node(Graph g, String op, java.util.List<String> ins, String... outs) {
        return g.add(new Node(op, g.uniqueName(op), ins, java.util.List.of(outs)));
    }

    static Tensor randomFloats(long... shape) {
        Random r = new Random(shape.length * 31L + shape[0]);
        float[] v = new float[Math.toIntExact(Shapes.size(shape))];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() - 0.5f;
        return Tensor.ofFloats(shape, v);
    }
}
