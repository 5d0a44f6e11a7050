package neuroflux.stages.compile.rules;

import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;

/**
 * With {@link neuroflux.stages.compile.Rounding#PYTORCH_CPU}: float32 forward forms of two kinds of convolution
 * whose sums follow the order of PyTorch's CPU kernels (oneDNN), so that the step rounds as PyTorch does: each
 * output is the bias (or 0), then one fused multiply-add per term in a fixed order. ONNX Runtime's kernels sum in
 * other orders; on a network whose later batch norms normalise a few values with a standard deviation far below
 * sqrt(eps) (MobileNetV2 at batch 4, whose last blocks run at 1x1), a one-ulp difference in the first convolutions
 * grows past the fixtures' gradient tolerance.
 *
 * <ul>
 *   <li>Depthwise (one input and one output channel per group): the taps in row-major order, each a fused
 *   multiply-add, taken as the exact float64 product plus the float accumulator, rounded once to float.</li>
 *   <li>Few input channels (2 to {@link #FEW_CHANNELS}, no groups): oneDNN's direct convolution takes the input
 *   channels in blocks of 8 with the taps outside the channels of a block, so where all channels fit one block the
 *   order is tap-major. Written as the windows' elements gathered tap-major ([N, taps * C, ...], led by a plane of
 *   ones for the bias) and a 1x1 Conv with the weight laid out alike: ONNX Runtime runs a 1x1 Conv as one GEMM
 *   whose sums take the K axis in order with fused multiply-adds (the bias, then tap by tap).</li>
 * </ul>
 *
 * With one input channel the tap-major order is ONNX Runtime's own, and the blocked order of more channels is not
 * reproduced; those convolutions stay Conv nodes. The orders were found against torch 2.14's CPU convolutions
 * (oneDNN 3.12, AVX2) on the mobilenet fixture, bit for bit; {@code GradientRulesTest} holds the forms to them.
 */
final class OrderedConv {
    /** The channel block of oneDNN's AVX2 direct convolution: up to this many channels are summed tap-major. */
    static final long FEW_CHANNELS = 8;

    private OrderedConv() {}

    static boolean depthwise(long group, long[] xs, long[] ws) {
        return group > 1 && group == xs[1] && ws[0] == group && ws[1] == 1;
    }

    static boolean fewChannels(long group, long[] xs, WindowGeometry geo) {
        return group == 1 && xs[1] > 1 && xs[1] <= FEW_CHANNELS && Axes.size(geo.kernel()) > 1;
    }

    /** Writes the depthwise convolution under the node's output name. */
    static void depthwiseForward(Node node, GradientContext ctx, long[] xs, WindowGeometry geo) {
        Emitter e = ctx.emit();
        int n = geo.rank();
        long channels = xs[1];
        long taps = Axes.size(geo.kernel());
        long[] cs = Axes.channelShape(channels, n + 2);
        String xd = e.cast(padded(e, node.input(0), geo), DataType.DOUBLE);
        long[] byTapShape = new long[n + 3];
        java.util.Arrays.fill(byTapShape, 1);
        byTapShape[0] = taps;
        byTapShape[2] = channels;
        String byTap = e.reshape(e.transpose(e.reshape(e.cast(node.input(1), DataType.DOUBLE), channels, taps), 1, 0),
                byTapShape);
        String acc = node.hasInput(2) ? e.reshape(node.input(2), cs) : null;
        List<String> windows = windows(e, xd, geo);
        for (int k = 0; k < taps; k++) {
            String w = e.node("Gather", "conv_dw_tap_weight", byTap, e.constant("i",
                    neuroflux.onnx.Tensor.ofLongs(new long[0], k))).with("axis", 0).output(0);
            String term = e.mul(windows.get(k), w);
            String sum = acc == null ? term : e.add(e.cast(acc, DataType.DOUBLE), term);
            if (k == taps - 1) {
                e.nodeTo("Cast", List.of(node.output(0)), sum).with("to", DataType.FLOAT.code);
            } else {
                acc = e.cast(sum, DataType.FLOAT);
            }
        }
    }

    /** Writes the few-channel convolution under the node's output name. */
    static void fewChannelForward(Node node, GradientContext ctx, long[] xs, long[] ws, WindowGeometry geo) {
        Emitter e = ctx.emit();
        int n = geo.rank();
        long batch = xs[0];
        long channels = xs[1];
        long outputs = ws[0];
        long taps = Axes.size(geo.kernel());
        List<String> parts = new ArrayList<>();
        boolean bias = node.hasInput(2);
        if (bias) {
            long[] plane = new long[n + 2];
            plane[0] = batch;
            plane[1] = 1;
            System.arraycopy(geo.output(), 0, plane, 2, n);
            parts.add(e.expand(e.floats(new long[0], 1), plane));
        }
        parts.addAll(windows(e, padded(e, node.input(0), geo), geo));
        String patches = e.node("Concat", "conv_taps", parts.toArray(String[]::new)).with("axis", 1).output(0);
        long[] perm = new long[n + 2];
        perm[0] = 0;
        for (int i = 0; i < n; i++) perm[1 + i] = 2 + i;
        perm[n + 1] = 1;
        long[] flat = new long[n + 2];
        java.util.Arrays.fill(flat, 1);
        flat[0] = outputs;
        flat[1] = taps * channels;
        String w = e.reshape(e.transpose(node.input(1), perm), flat);
        if (bias) {
            long[] column = flat.clone();
            column[1] = 1;
            w = e.node("Concat", "conv_bias_tap", e.reshape(node.input(2), column), w).with("axis", 1).output(0);
        }
        long[] unit = new long[n];
        java.util.Arrays.fill(unit, 1);
        e.nodeTo("Conv", List.of(node.output(0)), patches, w).withInts("kernel_shape", unit);
    }

    /** The input padded so that every window lies inside it (and cropped where no window reaches). */
    private static String padded(Emitter e, String x, WindowGeometry geo) {
        int n = geo.rank();
        long[] pads = new long[2 * (n + 2)];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            pads[2 + i] = geo.padsBegin()[i];
            pads[n + 4 + i] = geo.endPadToLastWindow(i);
            any |= pads[2 + i] != 0 || pads[n + 4 + i] != 0;
        }
        return any ? e.op("Pad", "conv_pad", x, e.ints(pads)) : x;
    }

    /** For each tap in row-major order, the padded input's elements it meets: [N, C, output...]. */
    private static List<String> windows(Emitter e, String xp, WindowGeometry geo) {
        int n = geo.rank();
        long taps = Axes.size(geo.kernel());
        long[] axes = new long[n];
        for (int i = 0; i < n; i++) axes[i] = 2 + i;
        List<String> out = new ArrayList<>();
        for (long k = 0; k < taps; k++) {
            long[] tap = geo.tap(k);
            out.add(e.op("Slice", "conv_window", xp, e.ints(geo.tapStarts(tap)), e.ints(geo.tapEnds(tap)),
                    e.ints(axes), e.ints(geo.strides())));
        }
        return out;
    }
}
