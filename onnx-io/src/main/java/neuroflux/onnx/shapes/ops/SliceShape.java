package neuroflux.onnx.shapes.ops;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;
import neuroflux.onnx.shapes.OpShape;

/** Slice with starts, ends, axes and steps as (constant) inputs, clamped as the ONNX specification says. */
public final class SliceShape implements OpShape {
    /** The resolved slice along every axis of an input: start, step and count per axis. */
    public record Ranges(long[] starts, long[] steps, long[] counts) {}

    @Override
    public List<ValueInfo> infer(Node node, InferenceContext ctx) {
        long[] x = ctx.shape(node, 0);
        return List.of(InferenceContext.out(node, 0, ctx.type(node, 0), ranges(node, ctx, x).counts()));
    }

    public static Ranges ranges(Node node, InferenceContext ctx, long[] x) {
        long[] starts = ctx.constantInts(node, 1, "starts");
        long[] ends = ctx.constantInts(node, 2, "ends");
        long[] axes = node.hasInput(3) ? ctx.constantInts(node, 3, "axes") : null;
        long[] steps = node.hasInput(4) ? ctx.constantInts(node, 4, "steps") : null;
        if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw ctx.error(node, "starts, ends, axes and steps differ in length");
        }
        long[] start = new long[x.length];
        long[] step = new long[x.length];
        long[] count = x.clone();
        java.util.Arrays.fill(step, 1);
        boolean[] seen = new boolean[x.length];
        for (int i = 0; i < starts.length; i++) {
            int axis = ctx.axis(node, axes == null ? i : axes[i], x.length);
            if (seen[axis]) throw ctx.error(node, "axis " + axis + " is sliced twice");
            seen[axis] = true;
            long s = steps == null ? 1 : steps[i];
            if (s == 0) throw ctx.error(node, "a step is 0");
            long dim = x[axis];
            long b = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (s > 0) {
                b = clamp(b, 0, dim);
                e = clamp(e, 0, dim);
                // (e - b - 1) / s + 1 cannot overflow as (e - b + s - 1) / s can for a huge step
                count[axis] = e > b ? (e - b - 1) / s + 1 : 0;
            } else {
                b = clamp(b, 0, dim - 1);
                e = clamp(e, -1, dim - 1);
                // dividing by s itself, not -s, which overflows for Long.MIN_VALUE
                count[axis] = b > e ? -((b - e - 1) / s) + 1 : 0;
            }
            start[axis] = b;
            step[axis] = s;
        }
        return new Ranges(start, step, count);
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
