package neuroflux.onnx;

import java.util.Arrays;

/** Small helpers for shapes held as {@code long[]}; a dimension of -1 is unknown (symbolic). */
public final class Shapes {
    /**
     * The most dimensions a tensor neuroflux handles may have (NumPy's limit). Real CNNs stay below 8; the limit
     * keeps a hostile file from making every shape a million entries long.
     */
    public static final int MAX_RANK = 64;

    private Shapes() {}

    public static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("shape " + format(shape) + " has an unknown dimension");
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static boolean isKnown(long[] shape) {
        if (shape == null) return false;
        for (long d : shape) if (d < 0) return false;
        return true;
    }

    public static String format(long[] shape) {
        if (shape == null) return "?";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append('x');
            b.append(shape[i] < 0 ? "N" : Long.toString(shape[i]));
        }
        return b.length() == 0 ? "scalar" : b.toString();
    }

    public static long[] withBatch(long[] shape, long batch) {
        long[] s = shape.clone();
        if (s.length > 0) s[0] = batch;
        return s;
    }

    public static int[] toInts(long[] v) {
        return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }
}
