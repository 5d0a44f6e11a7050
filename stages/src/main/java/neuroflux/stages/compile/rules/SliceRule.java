package neuroflux.stages.compile.rules;

import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;

/**
 * Slice (starts, ends, axes, steps as constant inputs): with unit steps the gradient is the output gradient
 * padded with zeros back to the input's extent; with other steps it is scattered to the sliced positions.
 */
final class SliceRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        var e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        int rank = xs.length;
        long[] starts = constant(node, 1, ctx);
        long[] ends = constant(node, 2, ctx);
        long[] axes = node.hasInput(3) ? constant(node, 3, ctx) : range(starts.length);
        long[] steps = node.hasInput(4) ? constant(node, 4, ctx) : ones(starts.length);
        long[] begin = new long[rank];
        long[] step = ones(rank);
        long[] count = xs.clone();
        for (int i = 0; i < axes.length; i++) {
            int a = Axes.normalize(axes[i], rank);
            long dim = xs[a];
            long s = steps[i];
            long st = starts[i] < 0 ? starts[i] + dim : starts[i];
            long en = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (s > 0) {
                st = Math.clamp(st, 0, dim);
                en = Math.clamp(en, 0, dim);
                count[a] = Math.max(0, (en - st + s - 1) / s);
            } else {
                st = Math.clamp(st, 0, dim - 1);
                en = Math.clamp(en, -1, dim - 1);
                count[a] = Math.max(0, (st - en - s - 1) / -s);
            }
            begin[a] = st;
            step[a] = s;
        }
        boolean unitSteps = java.util.Arrays.stream(step).allMatch(s -> s == 1);
        if (unitSteps) {
            long[] pads = new long[2 * rank];
            for (int a = 0; a < rank; a++) {
                pads[a] = begin[a];
                pads[rank + a] = xs[a] - begin[a] - count[a];
            }
            ctx.addGrad(node.input(0), e.op("Pad", "slice_grad", dy, e.ints(pads)));
            return;
        }
        long total = Axes.size(count);
        long[] index = new long[Math.toIntExact(total)];
        long[] strides = new long[rank];
        long acc = 1;
        for (int a = rank - 1; a >= 0; a--) {
            strides[a] = acc;
            acc *= xs[a];
        }
        for (int flat = 0; flat < total; flat++) {
            long rem = flat;
            long target = 0;
            for (int a = rank - 1; a >= 0; a--) {
                long pos = rem % count[a];
                rem /= count[a];
                target += (begin[a] + pos * step[a]) * strides[a];
            }
            index[flat] = target;
        }
        String positions = e.constant("slice_positions", Tensor.vector(index));
        String scattered = e.node("ScatterElements", "slice_grad", e.zeros(new long[] {Axes.size(xs)}), positions,
                e.reshape(dy, -1)).with("axis", 0).with("reduction", neuroflux.onnx.Attribute.of("add")).output(0);
        ctx.addGrad(node.input(0), e.reshape(scattered, xs));
    }

    private static long[] constant(Node node, int input, GradientContext ctx) {
        Tensor t = ctx.constant(node.input(input));
        if (t == null) {
            throw new BadInputException("node " + node.describe() + " slices with computed bounds; neuroflux "
                    + "differentiates Slice only with constant starts, ends, axes and steps");
        }
        return t.longs();
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private static long[] ones(int n) {
        long[] r = new long[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }
}
