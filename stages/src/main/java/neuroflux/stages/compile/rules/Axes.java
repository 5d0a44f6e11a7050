package neuroflux.stages.compile.rules;

import neuroflux.onnx.Shapes;

/** Small shape arithmetic shared by the rules. */
final class Axes {
    private Axes() {}

    static int normalize(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Every axis of a rank-{@code rank} tensor except the channel axis 1 (what normalisation reduces over). */
    static long[] allButChannel(int rank) {
        long[] a = new long[rank - 1];
        a[0] = 0;
        for (int i = 2; i < rank; i++) a[i - 1] = i;
        return a;
    }

    /** [1, C, 1, ...]: a per-channel vector shaped to broadcast over a rank-{@code rank} tensor. */
    static long[] channelShape(long channels, int rank) {
        long[] s = new long[rank];
        java.util.Arrays.fill(s, 1);
        s[1] = channels;
        return s;
    }

    static long count(long[] shape, long[] axes) {
        long n = 1;
        for (long a : axes) n *= shape[(int) a];
        return n;
    }

    static long size(long[] shape) {
        return Shapes.size(shape);
    }

    /** The permutation that swaps the last two axes. */
    static long[] swapLastTwo(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        p[rank - 1] = rank - 2;
        p[rank - 2] = rank - 1;
        return p;
    }
}
