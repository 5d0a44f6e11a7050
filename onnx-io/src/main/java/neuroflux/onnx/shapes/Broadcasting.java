package neuroflux.onnx.shapes;

import java.util.Arrays;
import neuroflux.onnx.Shapes;

/** Numpy-style multidirectional broadcasting, as ONNX's elementwise operators use it. */
public final class Broadcasting {
    private Broadcasting() {}

    /** The broadcast shape, or null when the shapes are incompatible. */
    public static long[] shape(long[]... shapes) {
        int rank = 0;
        for (long[] s : shapes) rank = Math.max(rank, s.length);
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            int offset = rank - s.length;
            for (int i = 0; i < s.length; i++) {
                long d = s[i];
                long o = out[offset + i];
                if (d == o || d == 1) continue;
                if (o == 1) {
                    out[offset + i] = d;
                } else {
                    return null;
                }
            }
        }
        return out;
    }

    /** The flat index into a tensor of shape {@code in} that feeds flat position {@code outIndex} of {@code out}. */
    public static long sourceIndex(long outIndex, long[] out, long[] in) {
        long index = 0;
        long stride = 1;
        long rest = outIndex;
        for (int i = out.length - 1; i >= 0; i--) {
            long coord = rest % out[i];
            rest /= out[i];
            int j = i - (out.length - in.length);
            if (j < 0) continue;
            if (in[j] != 1) index += coord * stride;
            stride *= in[j];
        }
        return index;
    }

    public static String describe(long[]... shapes) {
        StringBuilder b = new StringBuilder();
        for (long[] s : shapes) {
            if (b.length() > 0) b.append(", ");
            b.append(Shapes.format(s));
        }
        return b.toString();
    }
}
