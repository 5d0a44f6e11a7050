package neuroflux.stages.compile.rules;

import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;

/**
 * The sliding-window geometry of a Conv or pooling node over its spatial axes, with auto_pad resolved into
 * explicit pads from the static input shape.
 */
record WindowGeometry(long[] input, long[] output, long[] kernel, long[] strides, long[] dilations, long[] padsBegin,
                      long[] padsEnd) {

    static WindowGeometry of(Node node, long[] inputShape, long[] outputShape, long[] kernel) {
        int n = inputShape.length - 2;
        long[] in = java.util.Arrays.copyOfRange(inputShape, 2, inputShape.length);
        long[] out = java.util.Arrays.copyOfRange(outputShape, 2, outputShape.length);
        long[] strides = node.intsAttr("strides", ones(n));
        long[] dilations = node.intsAttr("dilations", ones(n));
        long[] begin = new long[n];
        long[] end = new long[n];
        String autoPad = node.stringAttr("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] pads = node.intsAttr("pads", new long[2 * n]);
                System.arraycopy(pads, 0, begin, 0, n);
                System.arraycopy(pads, n, end, 0, n);
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long total = Math.max(0, (out[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
                    long small = total / 2;
                    begin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw new BadInputException("node " + node.describe() + " has unknown auto_pad " + autoPad);
        }
        return new WindowGeometry(in, out, kernel, strides, dilations, begin, end);
    }

    int rank() {
        return input.length;
    }

    /** The extent one window covers along axis i. */
    long span(int i) {
        return (kernel[i] - 1) * dilations[i] + 1;
    }

    /**
     * The pad after axis i's input that makes every window lie inside the padded input: as far as the last window
     * reaches past it, 0 where it stops short (the rows it never reaches are then left in, not cropped).
     */
    long endPadToLastWindow(int i) {
        return Math.max(0, (output[i] - 1) * strides[i] + span(i) - input[i] - padsBegin[i]);
    }

    /** The coordinates of kernel tap {@code k}, the taps numbered in row-major order. */
    long[] tap(long k) {
        long[] tap = new long[rank()];
        for (int i = rank() - 1; i >= 0; i--) {
            tap[i] = k % kernel[i];
            k /= kernel[i];
        }
        return tap;
    }

    /** Along each axis, the first position in the padded input that a tap meets (every stride-th after it). */
    long[] tapStarts(long[] tap) {
        long[] starts = new long[rank()];
        for (int i = 0; i < rank(); i++) starts[i] = tap[i] * dilations[i];
        return starts;
    }

    /** Along each axis, one past the last position in the padded input that a tap meets. */
    long[] tapEnds(long[] tap) {
        long[] ends = tapStarts(tap);
        for (int i = 0; i < rank(); i++) ends[i] += (output[i] - 1) * strides[i] + 1;
        return ends;
    }

    /**
     * Pads and output padding that make a ConvTranspose of the output-sized gradient come out exactly
     * input-sized: the end pad crops what the last window reached beyond the input, output padding adds the rows
     * the forward windows never reached.
     */
    long[][] transposedPadding() {
        int n = rank();
        long[] pads = new long[2 * n];
        long[] outputPadding = new long[n];
        for (int i = 0; i < n; i++) {
            long full = (output[i] - 1) * strides[i] + span(i);
            long crop = full - padsBegin[i] - input[i];
            pads[i] = padsBegin[i];
            if (crop >= 0) pads[n + i] = crop;
            else outputPadding[i] = -crop;
        }
        return new long[][] {pads, outputPadding};
    }

    static long[] ones(int n) {
        long[] r = new long[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }
}
