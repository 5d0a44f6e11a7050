package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;

/**
 * Conv (any spatial rank, groups, strides, pads, dilations).
 *
 * <p>Input gradient: a ConvTranspose of the output gradient with the same weight, whose layout
 * [M, C/group, k...] is exactly ConvTranspose's [input channels, output channels / group, k...].
 *
 * <p>Weight gradient without groups: the input's patches (im2col, made by a depthwise Conv with one-hot
 * kernels, [N, C*k, P]) multiplied by the output gradient [N, M, P] per sample and summed over the batch. With
 * groups: a Conv in which the roles swap: the batch axis becomes the channel axis, the output gradient becomes
 * the kernel, and stride and dilation trade places; the input is laid out as [C/group, group * N, ...] so that
 * one grouped Conv gives every group's weights. Measured on ONNX Runtime's CPU kernels at batch 128 (VGG-like
 * layers), the patches-and-MatMul form is 2 to 4 times faster than the swapped Conv without groups when the
 * output has many positions (7x7 and more), and slower on tiny maps (3x3, 1x1), where the swapped Conv is used;
 * for depthwise convolutions the swapped Conv is faster than patches multiplied elementwise.
 */
final class ConvRule implements GradientRule {
    /** Output positions from which the patch form of the weight gradient pays (see the class comment). */
    static final long PATCH_FORM_MIN_POSITIONS = 32;

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        Emitter e = ctx.emit();
        String x = node.input(0);
        String w = node.input(1);
        long[] xs = e.shape(x);
        long[] ws = e.shape(w);
        long[] ys = e.shape(node.output(0));
        long group = node.intAttr("group", 1);
        long[] kernel = java.util.Arrays.copyOfRange(ws, 2, ws.length);
        WindowGeometry geo = WindowGeometry.of(node, xs, ys, kernel);
        if (node.hasInput(2) && ctx.needsGrad(node.input(2))) {
            long[] axes = Axes.allButChannel(ys.length);
            ctx.addGrad(node.input(2), e.reduceSum(dy, axes, false));
        }
        if (ctx.needsGrad(x)) ctx.addGrad(x, inputGradient(e, dy, w, geo, group, xs, ws));
        if (ctx.needsGrad(w)) {
            boolean patches = group == 1 && Axes.size(geo.output()) >= PATCH_FORM_MIN_POSITIONS;
            ctx.addGrad(w, patches ? patchWeightGradient(e, dy, x, xs, ws, geo)
                    : weightGradient(e, dy, x, xs, ws, geo, group));
        }
    }

    /**
     * The input gradient of a depthwise convolution with stride 1 as a depthwise Conv of the output gradient
     * with the kernel flipped: ONNX Runtime's grouped ConvTranspose handles one group at a time and is many
     * times slower than its depthwise Conv. Null where that does not apply (strides, channel multipliers, pads
     * wider than the kernel's reach).
     */
    private static String depthwiseStrideOneInputGradient(Emitter e, String dy, String w, WindowGeometry geo,
                                                          long group, long[] xs, long[] ws) {
        int n = geo.rank();
        if (group == 1 || group != xs[1] || ws[0] != group || ws[1] != 1) return null;
        long[] pads = new long[2 * n];
        for (int i = 0; i < n; i++) {
            long reach = geo.dilations()[i] * (geo.kernel()[i] - 1);
            if (geo.strides()[i] != 1 || geo.padsBegin()[i] > reach || geo.padsEnd()[i] > reach) return null;
            pads[i] = reach - geo.padsBegin()[i];
            pads[n + i] = reach - geo.padsEnd()[i];
        }
        long[] axes = new long[n];
        long[] starts = new long[n];
        long[] ends = new long[n];
        long[] steps = new long[n];
        for (int i = 0; i < n; i++) {
            axes[i] = 2 + i;
            starts[i] = -1;
            ends[i] = Long.MIN_VALUE;
            steps[i] = -1;
        }
        String flipped = e.op("Slice", "conv_kernel_flipped", w, e.ints(starts), e.ints(ends), e.ints(axes),
                e.ints(steps));
        return e.node("Conv", "conv_dx", dy, flipped).withInts("kernel_shape", geo.kernel())
                .withInts("dilations", geo.dilations()).withInts("pads", pads).with("group", group).output(0);
    }

    private static String patchWeightGradient(Emitter e, String dy, String x, long[] xs, long[] ws,
                                              WindowGeometry geo) {
        long batch = xs[0];
        long channels = xs[1];
        long outputs = ws[0];
        long taps = Axes.size(geo.kernel());
        long positions = Axes.size(geo.output());
        boolean pointwise = taps == 1 && java.util.Arrays.stream(geo.strides()).allMatch(v -> v == 1)
                && java.util.Arrays.stream(geo.padsBegin()).allMatch(v -> v == 0)
                && java.util.Arrays.stream(geo.padsEnd()).allMatch(v -> v == 0);
        String patches = x;
        if (!pointwise) {
            int n = geo.rank();
            long[] oneHotShape = new long[n + 2];
            oneHotShape[0] = channels * taps;
            oneHotShape[1] = 1;
            System.arraycopy(geo.kernel(), 0, oneHotShape, 2, n);
            double[] oneHot = new double[Math.toIntExact(channels * taps * taps)];
            for (long c = 0; c < channels; c++) {
                for (long t = 0; t < taps; t++) oneHot[(int) ((c * taps + t) * taps + t)] = 1;
            }
            long[] pads = new long[2 * n];
            System.arraycopy(geo.padsBegin(), 0, pads, 0, n);
            System.arraycopy(geo.padsEnd(), 0, pads, n, n);
            patches = e.node("Conv", "conv_patches", x, e.floats(oneHotShape, oneHot))
                    .withInts("kernel_shape", geo.kernel()).withInts("strides", geo.strides())
                    .withInts("dilations", geo.dilations()).withInts("pads", pads).with("group", channels).output(0);
        }
        String patchRows = e.transpose(e.reshape(patches, batch, channels * taps, positions), 0, 2, 1);
        String perSample = e.op("MatMul", "conv_dw", e.reshape(dy, batch, outputs, positions), patchRows);
        return e.reshape(e.reduceSum(perSample, new long[] {0}, false), ws);
    }

    private static String inputGradient(Emitter e, String dy, String w, WindowGeometry geo, long group,
                                        long[] xs, long[] ws) {
        String depthwise = depthwiseStrideOneInputGradient(e, dy, w, geo, group, xs, ws);
        if (depthwise != null) return depthwise;
        long[][] padding = geo.transposedPadding();
        Node t = e.node("ConvTranspose", "conv_dx", dy, w).withInts("kernel_shape", geo.kernel())
                .withInts("strides", geo.strides()).withInts("dilations", geo.dilations())
                .withInts("pads", padding[0]).with("group", group);
        if (java.util.Arrays.stream(padding[1]).anyMatch(p -> p != 0)) t.withInts("output_padding", padding[1]);
        return t.output(0);
    }

    private static String weightGradient(Emitter e, String dy, String x, long[] xs, long[] ws, WindowGeometry geo,
                                         long group) {
        int n = geo.rank();
        long batch = xs[0];
        long channels = xs[1];
        long perGroup = channels / group;
        long[] spatial = java.util.Arrays.copyOfRange(xs, 2, xs.length);

        String xT;
        if (group == 1) {
            xT = e.transpose(x, swapFirstTwo(n + 2));
        } else {
            long[] split = new long[n + 3];
            split[0] = batch;
            split[1] = group;
            split[2] = perGroup;
            System.arraycopy(spatial, 0, split, 3, n);
            long[] perm = new long[n + 3];
            perm[0] = 2;
            perm[1] = 1;
            perm[2] = 0;
            for (int i = 0; i < n; i++) perm[3 + i] = 3 + i;
            long[] merged = new long[n + 2];
            merged[0] = perGroup;
            merged[1] = group * batch;
            System.arraycopy(spatial, 0, merged, 2, n);
            xT = e.reshape(e.transpose(e.reshape(x, split), perm), merged);
        }
        String dyT = e.transpose(dy, swapFirstTwo(n + 2));

        // The gradient Conv needs the input padded at the end only as far as the last window reaches.
        long[] pads = new long[2 * n];
        long[] produced = new long[n];
        for (int i = 0; i < n; i++) {
            long reach = (geo.kernel()[i] - 1) * geo.dilations()[i] + (geo.output()[i] - 1) * geo.strides()[i] + 1;
            pads[i] = geo.padsBegin()[i];
            pads[n + i] = Math.max(0, reach - geo.input()[i] - geo.padsBegin()[i]);
            long extent = geo.input()[i] + pads[i] + pads[n + i];
            long window = (geo.output()[i] - 1) * geo.strides()[i] + 1;
            produced[i] = (extent - window) / geo.dilations()[i] + 1;
        }
        long[] dyKernel = geo.output();
        String g = e.node("Conv", "conv_dw", xT, dyT).withInts("kernel_shape", dyKernel)
                .withInts("strides", geo.dilations()).withInts("dilations", geo.strides()).withInts("pads", pads)
                .with("group", group).output(0);
        if (!java.util.Arrays.equals(produced, geo.kernel())) {
            long[] axes = new long[n];
            long[] starts = new long[n];
            for (int i = 0; i < n; i++) axes[i] = 2 + i;
            g = e.op("Slice", "conv_dw_crop", g, e.ints(starts), e.ints(geo.kernel()), e.ints(axes));
        }
        return e.transpose(g, swapFirstTwo(n + 2));
    }

    private static long[] swapFirstTwo(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        p[0] = 1;
        p[1] = 0;
        return p;
    }
}
