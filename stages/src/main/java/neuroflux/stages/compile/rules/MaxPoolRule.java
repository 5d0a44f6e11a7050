package neuroflux.stages.compile.rules;

import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.stages.compile.Emitter;

/**
 * MaxPool. Each output's gradient goes to the element its window took the maximum from; of several equal ones
 * (ties) to the first in row-major order, as in PyTorch and in ONNX Runtime's indices.
 *
 * <p>Windows that tile the input (kernel = stride, no padding: the usual 2x2 pooling) keep the plain MaxPool
 * and find the positions in the backward ({@link #tiledGradient}). ONNX Runtime's MaxPool with indices is far
 * slower than without (measured at batch 128 on the vgg-small-fmnist fixture: 25 ms against 1 ms for its four
 * poolings), and so was the ScatterElements that put the gradient at the indices.
 *
 * <p>Where the tiled pooling reads the output of a Relu that nothing else reads, the gradient goes straight to
 * the Relu's input: the Relu's mask is applied to the pooled gradient (at the maxima the Relu's output is the pooled
 * value), which saves the Relu's full-size mask and select.
 *
 * <p>Other windows: the forward also outputs the flat positions of the maxima (ONNX's Indices, counted over the
 * whole tensor), and the gradient is scattered to those positions with summation, as overlapping windows may
 * share a maximum.
 */
final class MaxPoolRule implements GradientRule {
    @Override
    public void forward(Node node, GradientContext ctx) {
        if (!ctx.needsGrad(node.input(0))) {
            ctx.keep(node);
            return;
        }
        if (node.intAttr("storage_order", 0) != 0) {
            throw new BadInputException("node " + node.describe() + " has storage_order 1; neuroflux "
                    + "differentiates MaxPool only in row-major order");
        }
        if (tiles(node, ctx.emit())) {
            ctx.keep(node);
            return;
        }
        Node copy = node.copy();
        if (copy.outputs().size() < 2 || copy.output(1).isEmpty()) {
            String indices = ctx.emit().fresh(node.output(0) + "/argmax");
            if (copy.outputs().size() < 2) copy.outputs().add(indices);
            else copy.outputs().set(1, indices);
        }
        ctx.keep(copy);
        ctx.save(node, "indices", copy.output(1));
    }

    /** Largest window (elements) of the tiled form, which slices each element out. */
    static final long MAX_TILED_WINDOW = 16;

    /**
     * Whether the windows tile the input: as wide as their stride, unpadded, undilated, floor mode, and the
     * node outputs no indices of its own.
     */
    static boolean tiles(Node node, Emitter e) {
        if (node.outputs().size() > 1 && !node.output(1).isEmpty()) return false;
        if (node.intAttr("ceil_mode", 0) != 0) return false;
        long[] xs = e.shape(node.input(0));
        long[] ys = e.shape(node.output(0));
        long[] kernel = node.intsAttr("kernel_shape", null);
        if (kernel == null) return false;
        WindowGeometry geo = WindowGeometry.of(node, xs, ys, kernel);
        if (Axes.size(kernel) > MAX_TILED_WINDOW) return false;
        for (int i = 0; i < geo.rank(); i++) {
            if (geo.strides()[i] != kernel[i] || geo.dilations()[i] != 1 || geo.padsBegin()[i] != 0
                    || geo.padsEnd()[i] != 0 || geo.output()[i] * kernel[i] > geo.input()[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The gradient over tiling windows, from the input instead of indices. The windows' elements are put last by
     * one Transpose of the input seen as [N, C, O1, k1, O2, k2, ...] (rows and columns past the last window
     * cropped first), and an ArgMax over them gives each window the offset of its first maximum in row-major
     * order (select_last_index 0). In that windows-last layout the gradient's flat position is the window's
     * number times its size plus that offset, all distinct, so MaxUnpool (ONNX Runtime has it for float only; a
     * ScatterElements otherwise) puts it there, and one Transpose turns it back; rows and columns past the last
     * window get zeros. (Where a window holds a NaN, PyTorch sends the gradient to the NaN; here it goes to
     * whichever element ONNX Runtime's ArgMax picks.)
     *
     * <p>Measured on ONNX Runtime 1.23's CPU kernels at batch 128 on the vgg-small-fmnist fixture (four 2x2
     * poolings, one thread, per-node minima over 8 steps on a loaded machine, two interleaved rounds), this took
     * 10.0 and 9.2 ms a step against 11.7 and 12.7 ms for the earlier form, which took every window element but
     * the last out by a strided Slice (single elements two apart), compared it with the pooled output and chose
     * the offset by a chain of Where nodes.
     */
    private static String tiledGradient(Emitter e, Node node, String dy, long[] xs) {
        long[] ys = e.shape(node.output(0));
        long[] kernel = node.intsAttr("kernel_shape", null);
        int n = xs.length - 2;
        long[] outSpatial = java.util.Arrays.copyOfRange(ys, 2, ys.length);
        long taps = Axes.size(kernel);
        long windows = xs[0] * xs[1] * Axes.size(outSpatial);
        String firstWindowElement = e.op("Range", "maxpool_windows", e.constant("i", Tensor.ofLongs(new long[0], 0)),
                e.constant("i", Tensor.ofLongs(new long[0], windows * taps)),
                e.constant("i", Tensor.ofLongs(new long[0], taps)));
        String positions = e.add(firstWindowElement,
                e.reshape(firstMaximum(e, node.input(0), xs, kernel, outSpatial), windows));
        String windowsLast;
        if (e.dtype() == DataType.FLOAT) {
            windowsLast = e.node("MaxUnpool", "maxpool_grad", e.reshape(dy, 1, 1, windows),
                    e.reshape(positions, 1, 1, windows), e.ints(1, 1, windows * taps)).withInts("kernel_shape", taps)
                    .withInts("strides", taps).output(0);
        } else {
            windowsLast = e.node("ScatterElements", "maxpool_grad", e.zeros(new long[] {windows * taps}), positions,
                    e.reshape(dy, -1)).with("axis", 0).output(0);
        }
        long[] split = new long[2 + 2 * n];
        long[] perm = new long[2 + 2 * n];
        long[] covered = new long[2 + n];
        split[0] = covered[0] = xs[0];
        split[1] = covered[1] = xs[1];
        perm[1] = 1;
        long[] pads = new long[2 * (n + 2)];
        boolean cropped = false;
        for (int i = 0; i < n; i++) {
            split[2 + i] = outSpatial[i];
            split[2 + n + i] = kernel[i];
            perm[2 + 2 * i] = 2 + i;
            perm[3 + 2 * i] = 2 + n + i;
            covered[2 + i] = outSpatial[i] * kernel[i];
            pads[n + 4 + i] = xs[2 + i] - covered[2 + i];
            cropped |= pads[n + 4 + i] != 0;
        }
        String dx = e.reshape(e.transpose(e.reshape(windowsLast, split), perm), covered);
        return cropped ? e.op("Pad", "maxpool_uncovered", dx, e.ints(pads)) : dx;
    }

    /** Each window's offset (row-major, within the window) of its first maximum, [N, C, O1, O2, ...]. */
    private static String firstMaximum(Emitter e, String x, long[] xs, long[] kernel, long[] outSpatial) {
        int n = kernel.length;
        long[] covered = new long[n];
        long[] axes = new long[n];
        boolean cropped = false;
        for (int i = 0; i < n; i++) {
            covered[i] = outSpatial[i] * kernel[i];
            axes[i] = 2 + i;
            cropped |= covered[i] != xs[2 + i];
        }
        String windows = cropped ? e.op("Slice", "maxpool_covered", x, e.ints(new long[n]), e.ints(covered),
                e.ints(axes)) : x;
        long[] split = new long[2 + 2 * n];
        long[] perm = new long[2 + 2 * n];
        long[] gathered = new long[3 + n];
        split[0] = xs[0];
        split[1] = xs[1];
        perm[1] = 1;
        gathered[0] = xs[0];
        gathered[1] = xs[1];
        for (int i = 0; i < n; i++) {
            split[2 + 2 * i] = outSpatial[i];
            split[3 + 2 * i] = kernel[i];
            perm[2 + i] = 2 + 2 * i;
            perm[2 + n + i] = 3 + 2 * i;
            gathered[2 + i] = outSpatial[i];
        }
        gathered[2 + n] = Axes.size(kernel);
        String lastAxis = e.reshape(e.transpose(e.reshape(windows, split), perm), gathered);
        return e.node("ArgMax", "maxpool_first_max", lastAxis).with("axis", -1).with("keepdims", 0)
                .with("select_last_index", 0).output(0);
    }

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        Emitter e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        if (tiles(node, e)) {
            String x = node.input(0);
            Node relu = ctx.producer(x);
            if (relu != null && relu.opType().equals("Relu") && relu.domain().isEmpty() && ctx.readers(x) == 1) {
                // The Relu's gradient passes where its output is positive; at each window's maximum that output
                // is the pooled value, and everywhere else the gradient is 0 anyway.
                String positive = e.op("Greater", "relu_mask", node.output(0), e.scalar(0));
                String passed = e.op("Where", "relu_grad", positive, dy, e.scalar(0));
                ctx.addGrad(relu.input(0), tiledGradient(e, node, passed, xs));
                return;
            }
            ctx.addGrad(x, tiledGradient(e, node, dy, xs));
            return;
        }
        String flatIndices = e.reshape(ctx.saved(node, "indices"), -1);
        String scattered = e.node("ScatterElements", "maxpool_grad", e.zeros(new long[] {Axes.size(xs)}), flatIndices,
                e.reshape(dy, -1)).with("axis", 0).with("reduction", Attribute.of("add")).output(0);
        ctx.addGrad(node.input(0), e.reshape(scattered, xs));
    }
}
