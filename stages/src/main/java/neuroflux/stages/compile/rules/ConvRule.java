package neuroflux.stages.compile.rules;

import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;
import neuroflux.stages.compile.Rounding;

/**
 * Conv (any spatial rank, groups, strides, pads, dilations).
 *
 * <p>Input gradient: a ConvTranspose of the output gradient with the same weight, whose layout
 * [M, C/group, k...] is exactly ConvTranspose's [input channels, output channels / group, k...].
 *
 * <p>Weight gradient without groups: per kernel tap, the input's elements that tap meets (one strided Slice of
 * the padded input, [C, P * N]) times the output gradient [M, P * N]: one GEMM per tap over the whole batch and
 * all output positions. Both are laid out with the batch last, [C, S..., N], so that a tap's Slice copies runs of
 * a whole output row times the batch (at stride 1) instead of one output row: on the vgg-small-fmnist fixture at
 * batch 128 (one thread, per-node minima) the 36 tap Slices took 2.7 ms a step against 6.3 to 7.7 ms with the
 * batch second, the Pads 0.7 against 1.3 to 2.1 ms, and the batch-last Transposes cost about 0.5 ms more. With groups: a Conv in which the roles swap: the batch axis becomes the
 * channel axis, the output gradient becomes the kernel, and stride and dilation trade places; the input is laid
 * out as [C/group, group * N, ...] so that one grouped Conv gives every group's weights. Measured on ONNX
 * Runtime's CPU kernels at batch 128 (VGG-like layers, 7x7 and more positions), the per-tap GEMMs take less than
 * half the time of the earlier form (patches from a depthwise Conv with one-hot kernels, a MatMul per sample
 * and a sum over the batch), which was itself 2 to 4 times faster than the swapped Conv; on tiny maps (fewer
 * than {@link #TAP_FORM_MIN_POSITIONS} positions) the swapped Conv is kept, and for depthwise convolutions the
 * swapped Conv is the faster.
 *
 * <p>Convolutions without groups on tiny maps, where the input has no more positions than the kernel taps (3x3
 * and 1x1 maps under a 3x3 kernel), run forward and backward as dense matrix products ({@link DenseConv}): ONNX
 * Runtime's Conv and ConvTranspose kernels are slow there.
 *
 * <p>With {@link Rounding#PYTORCH_CPU}, float32 depthwise convolutions and convolutions of few input channels run
 * forward in the summation order of PyTorch's CPU kernels ({@link OrderedConv}).
 */
final class ConvRule implements GradientRule {
    /** Output positions from which the per-tap form of the weight gradient is used (see the class comment). */
    static final long TAP_FORM_MIN_POSITIONS = 32;

    @Override
    public void forward(Node node, GradientContext ctx) {
        Emitter e = ctx.emit();
        boolean dense = dense(node, ctx);
        boolean pytorchRounding = e.dtype() == DataType.FLOAT && ctx.rounding() == Rounding.PYTORCH_CPU;
        if (!dense && !pytorchRounding) {
            ctx.keep(node);
            return;
        }
        long[] xs = e.shape(node.input(0));
        long[] ws = e.shape(node.input(1));
        long[] ys = e.shape(node.output(0));
        WindowGeometry geo = geometry(node, xs, ws, ys);
        long group = node.intAttr("group", 1);
        if (dense) {
            DenseConv.forward(node, ctx, xs, ws, ys, geo);
        } else if (pytorchRounding && OrderedConv.depthwise(group, xs, ws)) {
            OrderedConv.depthwiseForward(node, ctx, xs, geo);
        } else if (pytorchRounding && OrderedConv.fewChannels(group, xs, geo)) {
            OrderedConv.fewChannelForward(node, ctx, xs, ws, geo);
        } else {
            ctx.keep(node);
        }
    }

    private static WindowGeometry geometry(Node node, long[] xs, long[] ws, long[] ys) {
        return WindowGeometry.of(node, xs, ys, java.util.Arrays.copyOfRange(ws, 2, ws.length));
    }

    /**
     * Whether the node runs as dense products ({@link DenseConv}); only where a gradient passes through it, so that
     * forward and backward decide alike.
     */
    private static boolean dense(Node node, GradientContext ctx) {
        if (!ctx.needsGrad(node.input(0)) && !ctx.needsGrad(node.input(1))) return false;
        Emitter e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        long[] ws = e.shape(node.input(1));
        long[] ys = e.shape(node.output(0));
        return DenseConv.applies(node.intAttr("group", 1), xs, ws, geometry(node, xs, ws, ys));
    }

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
        if (dense(node, ctx)) {
            DenseConv.backward(node, ctx, dy, xs, ws, geo);
            return;
        }
        if (ctx.needsGrad(x)) ctx.addGrad(x, inputGradient(e, dy, w, geo, group, xs, ws));
        if (ctx.needsGrad(w)) {
            boolean taps = group == 1 && Axes.size(geo.output()) >= TAP_FORM_MIN_POSITIONS;
            ctx.addGrad(w, taps ? tapWeightGradient(e, dy, x, xs, ws, geo)
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

    /**
     * dW[:, :, tap] = dy[M, P * N] times the input's elements that the tap meets [C, P * N], transposed: one Gemm
     * per tap, computed as [C, P * N] x [P * N, M] so that ONNX Runtime's GEMM packs the smaller operand, and the
     * taps' [C, M] results stacked and turned to [M, C, taps].
     */
    private static String tapWeightGradient(Emitter e, String dy, String x, long[] xs, long[] ws,
                                            WindowGeometry geo) {
        int n = geo.rank();
        long batch = xs[0];
        long channels = xs[1];
        long outputs = ws[0];
        long taps = Axes.size(geo.kernel());
        long positions = Axes.size(geo.output());
        String dyT = e.reshape(e.transpose(dy, batchLast(n + 2)), outputs, positions * batch);
        String xT = e.transpose(x, batchLast(n + 2));
        long[] pads = new long[2 * (n + 2)];
        boolean padded = false;
        for (int i = 0; i < n; i++) {
            pads[1 + i] = geo.padsBegin()[i];
            pads[n + 3 + i] = geo.endPadToLastWindow(i);
            padded |= pads[1 + i] != 0 || pads[n + 3 + i] != 0;
        }
        if (padded) xT = e.op("Pad", "conv_dw_pad", xT, e.ints(pads));
        long[] axes = new long[n];
        for (int i = 0; i < n; i++) axes[i] = 1 + i;
        String[] parts = new String[(int) taps];
        for (int k = 0; k < taps; k++) {
            long[] tap = geo.tap(k);
            long[] starts = geo.tapStarts(tap);
            long[] ends = geo.tapEnds(tap);
            boolean whole = true;
            for (int i = 0; i < n; i++) {
                whole &= starts[i] == 0 && geo.strides()[i] == 1 && ends[i] == geo.input()[i] + pads[1 + i]
                        + pads[n + 3 + i];
            }
            String met = whole ? xT : e.op("Slice", "conv_dw_tap", xT, e.ints(starts), e.ints(ends), e.ints(axes),
                    e.ints(geo.strides()));
            String g = e.node("Gemm", "conv_dw", e.reshape(met, channels, positions * batch), dyT).with("transB", 1)
                    .output(0);
            parts[k] = taps == 1 ? g : e.reshape(g, channels, outputs, 1);
        }
        String stacked = taps == 1 ? parts[0] : e.node("Concat", "conv_dw_taps", parts).with("axis", 2).output(0);
        return e.reshape(taps == 1 ? e.transpose(stacked, 1, 0) : e.transpose(stacked, 1, 0, 2), ws);
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
            pads[i] = geo.padsBegin()[i];
            pads[n + i] = geo.endPadToLastWindow(i);
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

    /** The permutation that moves the batch axis last: [N, C, S...] to [C, S..., N]. */
    private static long[] batchLast(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank - 1; i++) p[i] = i + 1;
        return p;
    }

    private static long[] swapFirstTwo(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        p[0] = 1;
        p[1] = 0;
        return p;
    }
}
