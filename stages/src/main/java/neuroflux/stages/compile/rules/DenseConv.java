package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.stages.compile.Emitter;

/**
 * A convolution without groups over a tiny map as dense matrix products. Each sample's input [C, P] (P input
 * positions) maps linearly to its output [Q, M] (Q output positions) by the matrix T[(c, p), (q, m)] =
 * W[m, c, k], where k is the tap that joins input position p to output position q (at most one does), and 0 where
 * no tap does (there the kernel meets only padding). So Y = X T over the batch is one matrix product, and so are
 * both gradients: dX = dY T' and dT = X' dY, of which dW[m, c, k] sums the entries tap k placed.
 *
 * <p>T is gathered from the weight, laid out [C, taps + 1, M] with a zero tap last, at a constant [P, Q] table of
 * taps; it is built again in the backward rather than kept from the forward, so that the dense form holds no more
 * memory between the passes than the convolution (T has C P Q M entries, the weight C M taps).
 *
 * <p>The dense products multiply C P Q M times, the convolution C Q M taps times: where P is at most the number of
 * taps the dense form does no more work, and runs at a GEMM's speed where ONNX Runtime's Conv and ConvTranspose
 * kernels are slow: on the vgg-small-fmnist fixture at batch 128 (3x3 maps with 64 and 128 channels, 1x1 maps
 * under a 3x3 kernel, whose eight outer taps meet only padding), forward, input and weight gradient together took
 * about a third of their time as Conv, ConvTranspose and the swapped-Conv weight gradient (ONNX Runtime 1.23 CPU).
 */
final class DenseConv {
    /** Largest T (entries) that the dense form builds: 16 MiB in float. */
    static final long MAX_ENTRIES = 1L << 22;

    private DenseConv() {}

    /** Whether the dense form applies: no groups, no more multiplications than the convolution's, T not large. */
    static boolean applies(long group, long[] xs, long[] ws, WindowGeometry geo) {
        if (group != 1) return false;
        long p = Axes.size(geo.input());
        long q = Axes.size(geo.output());
        long taps = Axes.size(geo.kernel());
        return p <= taps && xs[1] * p * q * ws[0] <= MAX_ENTRIES;
    }

    /** For each (input position p, output position q), row-major, the tap joining them, or {@code taps} if none. */
    static long[] tapTable(WindowGeometry geo) {
        int n = geo.rank();
        long p = Axes.size(geo.input());
        long q = Axes.size(geo.output());
        long taps = Axes.size(geo.kernel());
        long[] table = new long[Math.toIntExact(p * q)];
        java.util.Arrays.fill(table, taps);
        long[] out = new long[n];
        long[] tap = new long[n];
        for (long qi = 0; qi < q; qi++) {
            unflatten(qi, geo.output(), out);
            for (long k = 0; k < taps; k++) {
                unflatten(k, geo.kernel(), tap);
                long flat = 0;
                boolean inside = true;
                for (int i = 0; i < n && inside; i++) {
                    long at = out[i] * geo.strides()[i] - geo.padsBegin()[i] + tap[i] * geo.dilations()[i];
                    inside = at >= 0 && at < geo.input()[i];
                    flat = flat * geo.input()[i] + at;
                }
                if (inside) table[Math.toIntExact(flat * q + qi)] = k;
            }
        }
        return table;
    }

    private static void unflatten(long flat, long[] dims, long[] into) {
        for (int i = dims.length - 1; i >= 0; i--) {
            into[i] = flat % dims[i];
            flat /= dims[i];
        }
    }

    /** T as [C * P, Q * M]. */
    private static String matrix(Emitter e, String w, long[] ws, WindowGeometry geo) {
        long outputs = ws[0];
        long channels = ws[1];
        long p = Axes.size(geo.input());
        long q = Axes.size(geo.output());
        long taps = Axes.size(geo.kernel());
        String byTap = e.transpose(e.reshape(w, outputs, channels, taps), 1, 2, 0);
        String withZero = e.op("Pad", "conv_dense_zero_tap", byTap, e.ints(0, 0, 0, 0, 1, 0));
        String table = e.constant("conv_dense_taps", Tensor.ofLongs(new long[] {p, q}, tapTable(geo)));
        String t = e.node("Gather", "conv_dense_t", withZero, table).with("axis", 1).output(0);
        return e.reshape(t, channels * p, q * outputs);
    }

    /** Writes Y = X T (+ bias) under the node's own output name. */
    static void forward(Node node, GradientContext ctx, long[] xs, long[] ws, long[] ys, WindowGeometry geo) {
        Emitter e = ctx.emit();
        long batch = xs[0];
        long q = Axes.size(geo.output());
        String xFlat = e.reshape(node.input(0), batch, xs[1] * Axes.size(geo.input()));
        String y = e.reshape(e.op("MatMul", "conv_dense", xFlat, matrix(e, node.input(1), ws, geo)), batch, q, ws[0]);
        if (node.hasInput(2)) y = e.add(y, node.input(2));
        if (q > 1) y = e.transpose(y, 0, 2, 1);
        e.nodeTo("Reshape", java.util.List.of(node.output(0)), y, e.ints(ys));
    }

    /** The input and weight gradients (the bias gradient is the Conv rule's). */
    static void backward(Node node, GradientContext ctx, String dy, long[] xs, long[] ws, WindowGeometry geo) {
        Emitter e = ctx.emit();
        long batch = xs[0];
        long channels = xs[1];
        long outputs = ws[0];
        long p = Axes.size(geo.input());
        long q = Axes.size(geo.output());
        long taps = Axes.size(geo.kernel());
        String dyRows = e.reshape(dy, batch, outputs, q);
        if (q > 1) dyRows = e.transpose(dyRows, 0, 2, 1);
        dyRows = e.reshape(dyRows, batch, q * outputs);
        String x = node.input(0);
        String w = node.input(1);
        if (ctx.needsGrad(x)) {
            String dx = e.node("Gemm", "conv_dense_dx", dyRows, matrix(e, w, ws, geo)).with("transB", 1).output(0);
            ctx.addGrad(x, e.reshape(dx, xs));
        }
        if (ctx.needsGrad(w)) {
            String xRows = e.reshape(x, batch, channels * p);
            String dt = e.node("Gemm", "conv_dense_dt", xRows, dyRows).with("transA", 1).output(0);
            // dW[m, c, k] = sum of dT[c, p, q, m] over the (p, q) that tap k joins: per channel c a product of the
            // constant 0/1 [taps, P * Q] selector with dT[c] as [P * Q, M].
            long[] table = tapTable(geo);
            double[] selector = new double[Math.toIntExact(taps * p * q)];
            for (int i = 0; i < table.length; i++) {
                if (table[i] < taps) selector[Math.toIntExact(table[i] * p * q + i)] = 1;
            }
            String perChannel = e.op("MatMul", "conv_dense_dw", e.floats(new long[] {taps, p * q}, selector),
                    e.reshape(dt, channels, p * q, outputs));
            ctx.addGrad(w, e.reshape(e.transpose(perChannel, 2, 0, 1), ws));
        }
    }
}
