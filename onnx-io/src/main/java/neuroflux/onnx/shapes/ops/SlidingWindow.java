package neuroflux.onnx.shapes.ops;

import neuroflux.onnx.Node;
import neuroflux.onnx.shapes.InferenceContext;

/**
 * The spatial output size of a window sliding over an input (convolutions and pooling), following the ONNX
 * rules for pads, strides, dilations, auto_pad and ceil_mode.
 */
final class SlidingWindow {
    private SlidingWindow() {}

    /** Output spatial sizes for input spatial sizes {@code in} and kernel sizes {@code kernel}. */
    static long[] outputSizes(Node node, InferenceContext ctx, long[] in, long[] kernel, boolean ceilMode) {
        int n = in.length;
        if (kernel.length != n) {
            throw ctx.error(node, "kernel_shape has " + kernel.length + " dimensions, the input has " + n
                    + " spatial dimensions");
        }
        long[] strides = perAxis(node, ctx, "strides", n, 1);
        long[] dilations = perAxis(node, ctx, "dilations", n, 1);
        long[] pads = node.intsAttr("pads", new long[2 * n]);
        if (pads.length != 2 * n) throw ctx.error(node, "pads must have " + 2 * n + " entries, not " + pads.length);
        String autoPad = node.stringAttr("auto_pad", "NOTSET");
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1) {
                throw ctx.error(node, "strides, dilations and kernel sizes must be positive");
            }
            if (pads[i] < 0 || pads[i + n] < 0) throw ctx.error(node, "pads must not be negative");
            long span = Math.addExact(Math.multiplyExact(kernel[i] - 1, dilations[i]), 1);
            out[i] = switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> ceilDiv(in[i], strides[i]);
                case "VALID" -> ceilDiv(in[i] - span + 1, strides[i]);
                case "NOTSET", "" -> explicit(in[i], pads[i], pads[i + n], span, strides[i], ceilMode);
                default -> throw ctx.error(node, "unknown auto_pad '" + autoPad + "'");
            };
            if (out[i] < 1) {
                throw ctx.error(node, "the window (" + span + " wide) does not fit the input (" + in[i]
                        + " wide) along spatial axis " + i);
            }
        }
        return out;
    }

    private static long explicit(long in, long padBegin, long padEnd, long span, long stride, boolean ceilMode) {
        long room = Math.addExact(in, Math.addExact(padBegin, padEnd)) - span;
        if (room < 0) return 0;
        if (!ceilMode) return room / stride + 1;
        long out = ceilDiv(room, stride) + 1;
        // the last window must start inside the input or its leading padding (as PyTorch and ONNX Runtime do)
        if ((out - 1) * stride >= in + padBegin) out--;
        return out;
    }

    static long[] perAxis(Node node, InferenceContext ctx, String attr, int n, long fallback) {
        long[] v = node.intsAttr(attr, null);
        if (v == null) {
            v = new long[n];
            java.util.Arrays.fill(v, fallback);
        }
        if (v.length != n) throw ctx.error(node, attr + " must have " + n + " entries, not " + v.length);
        return v;
    }

    static long ceilDiv(long a, long b) {
        return Math.floorDiv(a + b - 1, b);
    }

    static long[] spatial(long[] shape) {
        return java.util.Arrays.copyOfRange(shape, 2, shape.length);
    }

    static long[] concat(long n, long c, long[] spatial) {
        long[] s = new long[spatial.length + 2];
        s[0] = n;
        s[1] = c;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }
}
