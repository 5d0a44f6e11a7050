package neuroflux.onnx.shapes;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;
import neuroflux.onnx.shapes.ops.ArgMaxShape;
import neuroflux.onnx.shapes.ops.BatchNormalizationShape;
import neuroflux.onnx.shapes.ops.BroadcastShape;
import neuroflux.onnx.shapes.ops.CastShape;
import neuroflux.onnx.shapes.ops.ConcatShape;
import neuroflux.onnx.shapes.ops.ConstantOfShapeShape;
import neuroflux.onnx.shapes.ops.ConstantShape;
import neuroflux.onnx.shapes.ops.ConvShape;
import neuroflux.onnx.shapes.ops.ConvTransposeShape;
import neuroflux.onnx.shapes.ops.DropoutShape;
import neuroflux.onnx.shapes.ops.ExpandShape;
import neuroflux.onnx.shapes.ops.FlattenShape;
import neuroflux.onnx.shapes.ops.GatherElementsShape;
import neuroflux.onnx.shapes.ops.GatherShape;
import neuroflux.onnx.shapes.ops.GemmShape;
import neuroflux.onnx.shapes.ops.GlobalPoolShape;
import neuroflux.onnx.shapes.ops.MatMulShape;
import neuroflux.onnx.shapes.ops.MaxUnpoolShape;
import neuroflux.onnx.shapes.ops.NotShape;
import neuroflux.onnx.shapes.ops.OneHotShape;
import neuroflux.onnx.shapes.ops.PadShape;
import neuroflux.onnx.shapes.ops.PoolShape;
import neuroflux.onnx.shapes.ops.RangeShape;
import neuroflux.onnx.shapes.ops.ReduceShape;
import neuroflux.onnx.shapes.ops.ReshapeShape;
import neuroflux.onnx.shapes.ops.SameShape;
import neuroflux.onnx.shapes.ops.ShapeShape;
import neuroflux.onnx.shapes.ops.SliceShape;
import neuroflux.onnx.shapes.ops.SplitShape;
import neuroflux.onnx.shapes.ops.SqueezeShape;
import neuroflux.onnx.shapes.ops.TileShape;
import neuroflux.onnx.shapes.ops.TransposeShape;
import neuroflux.onnx.shapes.ops.UnsqueezeShape;
import neuroflux.onnx.shapes.ops.WhereShape;

/**
 * The operators neuroflux understands, each with its shape rule. Supporting a new operator is one rule class and
 * one line here; everything else (the importer's check, shape inference) follows from this table.
 */
public final class OpShapes {
    private static final Map<String, OpShape> RULES = new TreeMap<>();

    static {
        OpShape same = new SameShape();
        OpShape arithmetic = BroadcastShape.arithmetic();
        OpShape comparison = BroadcastShape.comparison();
        OpShape pool = new PoolShape();
        OpShape globalPool = new GlobalPoolShape();
        OpShape reduce = new ReduceShape();

        RULES.put("Conv", new ConvShape());
        RULES.put("ConvTranspose", new ConvTransposeShape());
        RULES.put("BatchNormalization", new BatchNormalizationShape());
        RULES.put("MaxPool", pool);
        RULES.put("MaxUnpool", new MaxUnpoolShape());
        RULES.put("AveragePool", pool);
        RULES.put("GlobalAveragePool", globalPool);
        RULES.put("GlobalMaxPool", globalPool);
        RULES.put("Gemm", new GemmShape());
        RULES.put("MatMul", new MatMulShape());

        for (String op : new String[] {"Relu", "Clip", "Sigmoid", "Tanh", "Sqrt", "Neg", "Exp", "Log", "Abs",
                "Reciprocal", "Identity", "Softmax", "LogSoftmax", "ScatterElements", "ScatterND"}) {
            RULES.put(op, same);
        }
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min"}) {
            RULES.put(op, arithmetic);
        }
        for (String op : new String[] {"Equal", "Greater", "Less"}) RULES.put(op, comparison);
        RULES.put("Not", new NotShape());
        RULES.put("Where", new WhereShape());
        RULES.put("Dropout", new DropoutShape());

        RULES.put("Flatten", new FlattenShape());
        RULES.put("Reshape", new ReshapeShape());
        RULES.put("Concat", new ConcatShape());
        RULES.put("Transpose", new TransposeShape());
        RULES.put("Slice", new SliceShape());
        RULES.put("Split", new SplitShape());
        RULES.put("Unsqueeze", new UnsqueezeShape());
        RULES.put("Squeeze", new SqueezeShape());
        RULES.put("Expand", new ExpandShape());
        RULES.put("Tile", new TileShape());
        RULES.put("Pad", new PadShape());
        RULES.put("Gather", new GatherShape());
        RULES.put("GatherElements", new GatherElementsShape());
        RULES.put("OneHot", new OneHotShape());

        RULES.put("Constant", new ConstantShape());
        RULES.put("ConstantOfShape", new ConstantOfShapeShape());
        RULES.put("Shape", new ShapeShape());
        RULES.put("Cast", new CastShape());
        RULES.put("Range", new RangeShape());

        RULES.put("ReduceMean", reduce);
        RULES.put("ReduceSum", reduce);
        RULES.put("ReduceMax", reduce);
        RULES.put("ArgMax", new ArgMaxShape());
    }

    private OpShapes() {}

    /** The supported operator types, sorted. */
    public static Set<String> supported() {
        return RULES.keySet();
    }

    /** The rule for a node's operator; a node of another domain or an unknown operator is a bad model. */
    public static OpShape of(Node node) {
        check(node);
        return RULES.get(node.opType());
    }

    /** Fails with a message naming the node unless neuroflux supports its operator. */
    public static void check(Node node) {
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
            throw new BadInputException("node " + node.describe() + ": operator domain '" + node.domain()
                    + "' is not supported by neuroflux (only the default ONNX domain is)");
        }
        if (!RULES.containsKey(node.opType())) {
            throw new BadInputException("node " + node.describe() + ": operator " + node.opType()
                    + " is not supported by neuroflux");
        }
    }
}
