package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Shape: an int64 vector of the input's dimensions, from start to end (opset 15). */
public final class ShapeShape implements OpShape {
    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] d = dims(node, ctx.shape(node, 0));
        return List.of(InferenceContext.out(node, 0, DataType.INT64, d.length));
    }

    /** The dimensions a Shape node reports for an input of shape {@code x}. */
    public static long[] dims(Node node, long[] x) {
        int r = x.length;
        long start = node.intAttr("start", 0);
        long end = node.intAttr("end", r);
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        return java.util.Arrays.copyOfRange(x, (int) start, (int) Math.max(start, end));
    }
}
