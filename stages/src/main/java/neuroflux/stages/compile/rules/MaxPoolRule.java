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
     * The gradient over tiling windows, from the pooled output instead of indices. Every window element but the
     * last is taken out by a strided Slice and compared with the output (the maximum is one of the elements, so
     * it compares equal to it exactly); a chain of Where nodes, from the last element to the first, gives each
     * window the offset of its first element equal to the maximum, or of the last element when no other is.
     * Added to the flat position of the window's first element, that is where the gradient goes; the positions
     * differ between windows, which do not overlap, so the gradient is put there by MaxUnpool for float (ONNX
     * Runtime has it for float only) and by a ScatterElements otherwise. Rows and columns past the last window
     * get zeros. (A window holding a NaN sends its gradient to its last element, where PyTorch sends it to the
     * NaN.)
     */
    private static String tiledGradient(Emitter e, Node node, String dy, long[] xs) {
        long[] ys = e.shape(node.output(0));
        long[] kernel = node.intsAttr("kernel_shape", null);
        int n = xs.length - 2;
        long[] axes = new long[n];
        long[] flatStride = new long[n];
        long plane = 1;
        for (int i = n - 1; i >= 0; i--) {
            axes[i] = 2 + i;
            flatStride[i] = plane;
            plane *= xs[2 + i];
        }
        long[] outSpatial = java.util.Arrays.copyOfRange(ys, 2, ys.length);
        int cells = Math.toIntExact(Axes.size(outSpatial));
        long[] corner = new long[cells];
        long[] at = new long[n];
        for (int flat = 0; flat < cells; flat++) {
            long rem = flat;
            for (int i = n - 1; i >= 0; i--) {
                at[i] = rem % outSpatial[i];
                rem /= outSpatial[i];
            }
            for (int i = 0; i < n; i++) corner[flat] += at[i] * kernel[i] * flatStride[i];
        }
        int taps = Math.toIntExact(Axes.size(kernel));
        String x = node.input(0);
        String y = node.output(0);
        String offsets = null;
        long[] tap = new long[n];
        for (int t = taps - 1; t >= 0; t--) {
            long rem = t;
            for (int i = n - 1; i >= 0; i--) {
                tap[i] = rem % kernel[i];
                rem /= kernel[i];
            }
            long offset = 0;
            for (int i = 0; i < n; i++) offset += tap[i] * flatStride[i];
            String here = e.constant("i", Tensor.ofLongs(new long[0], offset));
            if (offsets == null) {
                offsets = here;
                continue;
            }
            long[] ends = new long[n];
            for (int i = 0; i < n; i++) ends[i] = tap[i] + (outSpatial[i] - 1) * kernel[i] + 1;
            String element = e.op("Slice", "maxpool_element", x, e.ints(tap.clone()), e.ints(ends), e.ints(axes),
                    e.ints(kernel));
            String isMax = e.op("Equal", "maxpool_is_max", element, y);
            offsets = e.op("Where", "maxpool_offset", isMax, here, offsets);
        }
        long planes = xs[0] * xs[1];
        long[] planeShape = new long[n + 2];
        java.util.Arrays.fill(planeShape, 1);
        planeShape[0] = xs[0];
        planeShape[1] = xs[1];
        String starts = e.reshape(e.op("Range", "maxpool_planes", e.constant("i", Tensor.ofLongs(new long[0], 0)),
                e.constant("i", Tensor.ofLongs(new long[0], planes * plane)),
                e.constant("i", Tensor.ofLongs(new long[0], plane))), planeShape);
        String corners = e.add(starts, e.constant("maxpool_corners", Tensor.ofLongs(outSpatial, corner)));
        String indices = e.add(corners, offsets);
        if (e.dtype() == DataType.FLOAT) {
            return e.node("MaxUnpool", "maxpool_grad", dy, indices, e.ints(xs)).withInts("kernel_shape", kernel)
                    .withInts("strides", kernel).output(0);
        }
        String scattered = e.node("ScatterElements", "maxpool_grad", e.zeros(new long[] {Axes.size(xs)}),
                e.reshape(indices, -1), e.reshape(dy, -1)).with("axis", 0).output(0);
        return e.reshape(scattered, xs);
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
