package neuroflux.stages.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.OpShapes;

/** The importer's checks that a model is one neuroflux can work with; each failure is one clear line. */
final class ModelChecks {
    static final long MIN_OPSET = 11;
    static final long MAX_OPSET = 22;
    /** No image dimension may exceed this, and no sample (C×H×W) {@link #MAX_SAMPLE_ELEMENTS}. */
    static final long MAX_DIMENSION = 1 << 16;
    static final long MAX_SAMPLE_ELEMENTS = 1 << 26;
    /** No value may hold more than this many elements per sample: a hostile model could declare terabytes. */
    static final long MAX_ELEMENTS_PER_SAMPLE = 1L << 28;

    private ModelChecks() {}

    static void opsets(Graph g) {
        Long version = null;
        for (Map.Entry<String, Long> e : g.opsets().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals("ai.onnx")) version = e.getValue();
        }
        if (version == null) throw new BadInputException("the model imports no default ONNX opset");
        if (version < MIN_OPSET || version > MAX_OPSET) {
            throw new BadInputException("the model uses ONNX opset " + version + "; neuroflux reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + " (re-export it with one of those)");
        }
    }

    /** Every node's operator is one neuroflux supports, in the default domain. */
    static void operators(Graph g) {
        for (Node n : g.nodes()) OpShapes.check(n);
    }

    /** The single image input: float, N×C×H×W with C, H, W known and sane. Returns its sample shape. */
    static long[] imageInput(Graph g) {
        List<ValueInfo> inputs = g.inputs();
        if (inputs.size() != 1) {
            List<String> names = new ArrayList<>();
            for (ValueInfo v : inputs) names.add(v.name());
            throw new BadInputException("the model has " + inputs.size() + " inputs " + names
                    + "; neuroflux needs exactly one image input (other inputs must be initializers)");
        }
        ValueInfo in = inputs.get(0);
        long[] s = in.shape();
        if (in.type() != DataType.FLOAT || s == null || s.length != 4) {
            throw new BadInputException("input '" + in.name() + "' is " + (in.type() == null ? "untyped" : in.type())
                    + " " + Shapes.format(s)
                    + "; neuroflux needs a 4-D float image batch N×C×H×W");
        }
        long[] sample = {s[1], s[2], s[3]};
        for (long d : sample) {
            if (d < 1 || d > MAX_DIMENSION) {
                throw new BadInputException("input '" + in.name() + "' has shape " + Shapes.format(s)
                        + "; its channels, height and width must be known and between 1 and " + MAX_DIMENSION);
            }
        }
        if (Shapes.size(sample) > MAX_SAMPLE_ELEMENTS) {
            throw new BadInputException("input '" + in.name() + "' has shape " + Shapes.format(s) + ", more than "
                    + MAX_SAMPLE_ELEMENTS + " values per sample, which neuroflux does not accept");
        }
        return sample;
    }

    static String singleOutput(Graph g) {
        if (g.outputs().size() != 1) {
            throw new BadInputException("the model has " + g.outputs().size() + " outputs " + g.outputNames()
                    + "; neuroflux needs exactly one, the class logits");
        }
        return g.outputs().get(0).name();
    }

    /** The output of a graph inferred at {@code batch} must be float [batch, K] with K ≥ 2; returns K. */
    static int classifierOutput(Graph inferred, long batch) {
        ValueInfo out = inferred.outputs().get(0);
        long[] s = out.shape();
        if (out.type() != DataType.FLOAT || s.length != 2 || s[0] != batch || s[1] < 2 || s[1] > Integer.MAX_VALUE) {
            throw new BadInputException("output '" + out.name() + "' is " + out.type() + " "
                    + Shapes.format(symbolic(s, batch)) + "; neuroflux needs classifier logits: float N×K with K ≥ 2"
                    + " (N the batch)");
        }
        return (int) s[1];
    }

    /** No value of a graph inferred at {@code batch} may be absurdly large per sample. */
    static void sizes(Graph inferred, long batch) {
        for (Node n : inferred.nodes()) {
            for (String o : n.outputs()) {
                long[] s = inferred.shapeOf(o);
                if (s != null && Shapes.size(s) / batch > MAX_ELEMENTS_PER_SAMPLE) {
                    throw new BadInputException("node " + n.describe() + ": output '" + o + "' would hold "
                            + Shapes.size(s) / batch + " values per sample, more than neuroflux accepts ("
                            + MAX_ELEMENTS_PER_SAMPLE + ")");
                }
            }
        }
    }

    private static long[] symbolic(long[] s, long batch) {
        long[] c = s.clone();
        if (c.length > 0 && c[0] == batch) c[0] = -1;
        return c;
    }
}
