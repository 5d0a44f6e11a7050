package neuroflux.stages.compile;

import java.util.LinkedHashMap;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.onnx.shapes.ShapeInference;

/**
 * Makes sure every value of a graph has a known type and shape, as the compiler needs. It uses
 * {@link ShapeInference}; until that is available it observes the shapes by running the graph once on zeros.
 */
public final class ValueShapes {
    private ValueShapes() {}

    /** Sets the batch dimension of every graph input to {@code batch}. */
    public static void setBatch(Graph g, long batch) {
        for (int i = 0; i < g.inputs().size(); i++) {
            ValueInfo v = g.inputs().get(i);
            if (v.shape() == null) throw new BadInputException("graph input '" + v.name() + "' has no shape");
            ValueInfo fixed = v.withShape(Shapes.withBatch(v.shape(), batch));
            g.inputs().set(i, fixed);
            g.valueInfo().put(v.name(), fixed);
        }
    }

    public static boolean complete(Graph g) {
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (o.isEmpty()) continue;
                ValueInfo v = g.info(o);
                if (v == null || v.type() == null || !Shapes.isKnown(v.shape())) return false;
            }
        }
        return true;
    }

    public static void ensure(Graph g) {
        if (complete(g)) return;
        try {
            ShapeInference.infer(g);
            if (complete(g)) return;
        } catch (UnsupportedOperationException notYet) {
            // shape inference is not available yet: observe the shapes instead
        }
        observe(g);
    }

    /** The element type of a node's output, from its operator and its inputs' types (ONNX's type rules). */
    private static DataType outputType(Node n, int output, Map<String, DataType> types) {
        DataType first = n.inputs().isEmpty() ? null : types.get(n.input(0));
        return switch (n.opType()) {
            case "Shape", "Size", "ArgMax", "ArgMin", "NonZero" -> DataType.INT64;
            case "MaxPool" -> output == 1 ? DataType.INT64 : first;
            case "Dropout" -> output == 1 ? DataType.BOOL : first;
            case "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not", "Xor",
                 "IsNaN", "IsInf" -> DataType.BOOL;
            case "Cast" -> DataType.fromCode((int) n.intAttr("to", 1));
            case "Constant" -> n.tensorAttr("value") != null ? n.tensorAttr("value").type() : DataType.FLOAT;
            case "ConstantOfShape" -> n.tensorAttr("value") != null ? n.tensorAttr("value").type() : DataType.FLOAT;
            case "Where" -> types.get(n.input(1));
            default -> first != null ? first : DataType.FLOAT;
        };
    }

    /** Runs the graph once on zero inputs with every node output exposed and records what comes out. */
    static void observe(Graph g) {
        Graph probe = g.copy();
        probe.outputs().clear();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo in : g.inputs()) {
            if (!Shapes.isKnown(in.shape()) || in.type() == null) {
                throw new BadInputException("graph input '" + in.name() + "' needs a fully known shape and type");
            }
            feeds.put(in.name(), Tensor.zeros(in.type(), in.shape()));
        }
        Map<String, DataType> types = new java.util.HashMap<>();
        g.initializers().forEach((k, v) -> types.put(k, v.type()));
        for (ValueInfo in : g.inputs()) types.put(in.name(), in.type());
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.outputs().size(); i++) {
                String o = n.output(i);
                if (o.isEmpty()) continue;
                DataType t = outputType(n, i, types);
                types.put(o, t);
                probe.outputs().add(new ValueInfo(o, t, null));
            }
        }
        Map<String, Tensor> out;
        try (OrtSession s = OrtSession.open(probe, RuntimeOptions.cpu(1))) {
            out = s.run(feeds);
        }
        for (var e : out.entrySet()) {
            Tensor t = e.getValue();
            DataType type = t.type();
            g.valueInfo().put(e.getKey(), new ValueInfo(e.getKey(), type, t.shape()));
        }
    }
}
