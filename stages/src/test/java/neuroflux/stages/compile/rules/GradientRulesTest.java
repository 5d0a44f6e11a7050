package neuroflux.stages.compile.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import neuroflux.onnx.Attribute;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.stages.compile.GradientCheck;
import neuroflux.stages.compile.Rounding;
import org.junit.jupiter.api.Test;

/**
 * Every gradient rule against central differences on small random shapes: in float64 where ONNX Runtime's CPU
 * kernels take doubles, in float32 (with a looser tolerance) where they do not (Conv, ConvTranspose).
 */
class GradientRulesTest {
    private static final double STEP64 = 1e-6;
    private static final double RTOL64 = 1e-6;
    private static final double STEP32 = 1e-2;
    private static final double RTOL32 = 2e-2;

    private static GradientCheck doubles() {
        return new GradientCheck(DataType.DOUBLE, 7);
    }

    private static GradientCheck floats() {
        return new GradientCheck(DataType.FLOAT, 7);
    }

    private static double check64(GradientCheck c) {
        return c.check(STEP64, RTOL64, 1e-9);
    }

    private static double check32(GradientCheck c) {
        return c.check(STEP32, RTOL32, 1e-3);
    }

    private static long[] s(long... d) {
        return d;
    }

    @Test
    void conv() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 7, 6), true);
        c.input("w", s(4, 3, 3, 2), true);
        c.input("b", s(4), true);
        c.node("Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 0, 1, 1).withInts("strides", 2, 1);
        c.output("y");
        check32(c);
    }

    @Test
    void convOnALargeMapTakesTheWeightGradientPerTap() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 9, 8), true);
        c.input("w", s(4, 3, 3, 2), true);
        c.node("Conv", List.of("x", "w"), "y").withInts("pads", 1, 0, 1, 1).withInts("dilations", 1, 2);
        c.output("y");
        check32(c);
        assertEquals(6, count(c, "Gemm"), "one GEMM per tap");
    }

    @Test
    void convOnALargeMapWithStridesAndAnUnreadRemainderTakesTheWeightGradientPerTap() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 16, 13), true);
        c.input("w", s(4, 3, 3, 3), true);
        c.input("b", s(4), true);
        c.node("Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 1, 0, 0).withInts("strides", 2, 1);
        c.output("y");
        check32(c);
        assertEquals(9, count(c, "Gemm"));
    }

    /** The per-tap slices of the batch-last input, [C, S..., N], in one and in three spatial dimensions. */
    @Test
    void convInOneAndThreeDimensionsOnLargeMapsTakesTheWeightGradientPerTap() {
        GradientCheck c = floats();
        c.input("x", s(3, 2, 80), true);
        c.input("w", s(4, 2, 3), true);
        c.node("Conv", List.of("x", "w"), "y").withInts("pads", 2, 0).withInts("strides", 2)
                .withInts("dilations", 2);
        c.input("v", s(2, 2, 5, 4, 6), true);
        c.input("u", s(3, 2, 2, 1, 3), true);
        c.node("Conv", List.of("v", "u"), "z").withInts("pads", 1, 0, 1, 0, 0, 1).withInts("strides", 1, 1, 2);
        c.output("y");
        c.output("z");
        check32(c);
        assertEquals(3 + 6, count(c, "Gemm"), "one GEMM per tap");
    }

    @Test
    void stridedPointwiseConvOnALargeMap() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 16, 16), true);
        c.input("w", s(5, 3, 1, 1), true);
        c.node("Conv", List.of("x", "w"), "y").withInts("strides", 2, 2);
        c.output("y");
        check32(c);
        assertEquals(1, count(c, "Gemm"));
    }

    @Test
    void convOnATinyMapIsDenseProducts() {
        GradientCheck c = floats();
        c.input("x", s(3, 4, 3, 3), true);
        c.input("w", s(5, 4, 3, 3), true);
        c.input("b", s(5), true);
        c.node("Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 1, 1, 1);
        c.output("y");
        check32(c);
        assertTrue(c.forwardMismatch() < 1e-5, "the dense forward computes the Conv");
        assertEquals(0, count(c, "Conv") + count(c, "ConvTranspose"), "no Conv is left");
    }

    @Test
    void convOnASinglePixelUsesTheCentreTapOnly() {
        GradientCheck c = floats();
        c.input("x", s(4, 6, 1, 1), true);
        c.input("w", s(5, 6, 3, 3), true);
        c.node("Conv", List.of("x", "w"), "y").withInts("pads", 1, 1, 1, 1);
        c.output("y");
        check32(c);
        assertTrue(c.forwardMismatch() < 1e-5);
        assertEquals(0, count(c, "Conv") + count(c, "ConvTranspose"));
        float[] dw = c.analytic(Map.of("y", c.random(s(4, 5, 1, 1), 1.0))).get("w").floats();
        for (int i = 0; i < dw.length; i++) {
            if (i % 9 != 4) assertEquals(0f, dw[i], "tap " + i % 9 + " meets only padding");
        }
    }

    @Test
    void denseConvWithStridesDilationsAndUnevenPads() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 1, 3), true);
        c.input("w", s(4, 3, 2, 2), true);
        c.input("b", s(4), true);
        c.node("Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 0, 1, 1).withInts("strides", 2, 1)
                .withInts("dilations", 1, 2);
        c.output("y");
        check32(c);
        assertTrue(c.forwardMismatch() < 1e-5);
        assertEquals(0, count(c, "Conv") + count(c, "ConvTranspose"));
    }

    @Test
    void denseConvInOneDimension() {
        GradientCheck c = floats();
        c.input("x", s(3, 4, 3), true);
        c.input("w", s(2, 4, 3), true);
        c.node("Conv", List.of("x", "w"), "y").withInts("pads", 1, 1);
        c.output("y");
        check32(c);
        assertTrue(c.forwardMismatch() < 1e-5);
        assertEquals(0, count(c, "Conv") + count(c, "ConvTranspose"));
    }

    private static long count(GradientCheck c, String op) {
        return c.vjpGraph().nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    @Test
    void pointwiseConvOnALargeMap() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 8, 8), true);
        c.input("w", s(5, 3, 1, 1), true);
        c.node("Conv", List.of("x", "w"), "y");
        c.output("y");
        check32(c);
    }

    @Test
    void convWithGroupsDilationAndStrideLeftover() {
        GradientCheck c = floats();
        c.input("x", s(2, 4, 8, 7), true);
        c.input("w", s(6, 2, 2, 3), true);
        c.node("Conv", List.of("x", "w"), "y").with("group", 2).withInts("dilations", 2, 1)
                .withInts("strides", 3, 2).withInts("pads", 0, 1, 1, 0);
        c.output("y");
        check32(c);
    }

    @Test
    void depthwiseConv() {
        GradientCheck c = floats();
        c.input("x", s(3, 4, 6, 6), true);
        c.input("w", s(4, 1, 3, 3), true);
        c.node("Conv", List.of("x", "w"), "y").with("group", 4).withInts("pads", 1, 1, 1, 1)
                .withInts("strides", 2, 2);
        c.output("y");
        check32(c);
    }

    @Test
    void depthwiseConvWithStrideOneAndDilation() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 7, 6), true);
        c.input("w", s(3, 1, 3, 2), true);
        c.node("Conv", List.of("x", "w"), "y").with("group", 3).withInts("pads", 2, 0, 1, 1)
                .withInts("dilations", 2, 1);
        c.output("y");
        check32(c);
        assertEquals(0, c.vjpGraph().nodes().stream().filter(n -> n.opType().equals("ConvTranspose")).count(),
                "a depthwise stride-1 input gradient is a Conv");
    }

    @Test
    void convSamePadding() {
        GradientCheck c = floats();
        c.input("x", s(1, 2, 5, 5), true);
        c.input("w", s(3, 2, 2, 2), true);
        c.node("Conv", List.of("x", "w"), "y").with("auto_pad", Attribute.of("SAME_UPPER"));
        c.output("y");
        check32(c);
    }

    @Test
    void batchNormalizationTraining() {
        GradientCheck c = doubles();
        c.input("x", s(3, 2, 3, 2), true);
        c.input("scale", s(2), true);
        c.input("bias", s(2), true);
        c.input("mean", s(2), false);
        c.constant("var", c.tensor(s(2), new double[] {1, 2}));
        c.node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), "y").with("epsilon", 1e-3f);
        c.output("y");
        check64(c);
    }

    @Test
    void batchNormalizationOnFeatures() {
        GradientCheck c = doubles();
        c.input("x", s(5, 3), true);
        c.input("scale", s(3), true);
        c.input("bias", s(3), false);
        c.input("mean", s(3), false);
        c.constant("var", c.tensor(s(3), new double[] {1, 2, 3}));
        c.node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void pointwiseConvThenBatchNormOnSinglePixelsThenClip() {
        GradientCheck c = floats();
        c.input("x", s(4, 3, 1, 1), true);
        c.input("w", s(5, 3, 1, 1), true);
        c.input("scale", s(5), true);
        c.input("bias", s(5), true);
        c.constant("mean", c.tensor(s(5), new double[5]));
        c.constant("var", c.tensor(s(5), new double[] {1, 1, 1, 1, 1}));
        c.constant("lo", c.tensor(s(), new double[] {0}));
        c.constant("hi", c.tensor(s(), new double[] {6}));
        c.node("Conv", List.of("x", "w"), "h").withInts("kernel_shape", 1, 1);
        c.node("BatchNormalization", List.of("h", "scale", "bias", "mean", "var"), "n");
        c.node("Clip", List.of("n", "lo", "hi"), "y");
        c.output("y");
        check32(c);
    }

    // Rounding.PYTORCH_CPU: the float32 forward equals PyTorch's CPU kernels' values bit for bit. The expected
    // values are computed here in PyTorch's order with Math.fma (the orders were found against torch 2.14 on the
    // mobilenet fixture); ONNX Runtime's own kernels sum in other orders and miss many of them.

    @Test
    void depthwiseConvRoundsAsPyTorch() {
        GradientCheck c = floats().rounding(Rounding.PYTORCH_CPU);
        c.input("x", s(2, 5, 7, 6), true);
        c.input("w", s(5, 1, 3, 3), true);
        c.input("b", s(5), true);
        c.node("Conv", List.of("x", "w", "b"), "y").with("group", 5).withInts("pads", 1, 1, 1, 0)
                .withInts("strides", 2, 1);
        c.output("y");
        float[] got = c.trainingForward().get("y").floats();
        float[] want = pytorchConv(c.value("x"), c.value("w"), c.value("b"), 5, new long[] {2, 1},
                new long[] {1, 1}, new long[] {1, 1}, s(2, 5, 4, 5));
        assertArrayEquals(want, got);
        assertEquals(0, c.vjpGraph().nodes().stream().filter(nd -> nd.opType().equals("Conv")
                && nd.inputs().get(0).equals("x")).count(), "the forward runs no Conv kernel");
        check32(c);
    }

    @Test
    void convOfFewChannelsRoundsAsPyTorch() {
        GradientCheck c = floats().rounding(Rounding.PYTORCH_CPU);
        c.input("x", s(2, 3, 9, 8), true);
        c.input("w", s(4, 3, 3, 2), true);
        c.input("b", s(4), true);
        c.node("Conv", List.of("x", "w", "b"), "y").withInts("pads", 1, 0, 1, 1).withInts("strides", 2, 1)
                .withInts("dilations", 1, 2);
        c.output("y");
        float[] got = c.trainingForward().get("y").floats();
        float[] want = pytorchConv(c.value("x"), c.value("w"), c.value("b"), 1, new long[] {2, 1},
                new long[] {1, 2}, new long[] {1, 0}, s(2, 4, 5, 7));
        assertArrayEquals(want, got);
        check32(c);
    }

    @Test
    void batchNormalizationTrainingRoundsAsPyTorch() {
        GradientCheck c = floats().rounding(Rounding.PYTORCH_CPU);
        long[] xs = s(3, 4, 5, 6);
        c.input("x", xs, true);
        c.input("scale", s(4), true);
        c.input("bias", s(4), true);
        c.constant("mean", c.tensor(s(4), new double[4]));
        c.constant("var", c.tensor(s(4), new double[] {1, 1, 1, 1}));
        c.node("BatchNormalization", List.of("x", "scale", "bias", "mean", "var"), "y").with("epsilon", 1e-3f);
        c.output("y");
        float[] x = c.value("x").floats();
        float[] scale = c.value("scale").floats();
        float[] bias = c.value("bias").floats();
        int n = (int) xs[0];
        int channels = (int) xs[1];
        int positions = (int) (xs[2] * xs[3]);
        int count = n * positions;
        float[] want = new float[x.length];
        for (int ch = 0; ch < channels; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < positions; p++) sum += x[(i * channels + ch) * positions + p];
            float mean = (float) (sum / count);
            double squares = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < positions; p++) {
                    float d = x[(i * channels + ch) * positions + p] - mean;
                    squares += d * d;
                }
            }
            float var = (float) squares / count;
            float istd = (float) (1 / Math.sqrt((double) var + (double) 1e-3f));
            float alpha = istd * scale[ch];
            float beta = bias[ch] - mean * alpha;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < positions; p++) {
                    int at = (i * channels + ch) * positions + p;
                    want[at] = Math.fma(x[at], alpha, beta);
                }
            }
        }
        assertArrayEquals(want, c.trainingForward().get("y").floats());
        check32(c);
    }

    /**
     * A 2-D convolution as PyTorch's CPU kernels (oneDNN) sum it: the bias, then per output one fused multiply-add
     * per tap (row-major) and, within a tap, per input channel of the group.
     */
    private static float[] pytorchConv(Tensor xt, Tensor wt, Tensor bt, int group, long[] strides, long[] dilations,
                                       long[] padsBegin, long[] ys) {
        float[] x = xt.floats();
        float[] w = wt.floats();
        float[] b = bt.floats();
        long[] xs = xt.shape();
        long[] ws = wt.shape();
        int perGroupIn = (int) ws[1];
        int perGroupOut = (int) (ws[0] / group);
        float[] y = new float[Math.toIntExact(neuroflux.onnx.Shapes.size(ys))];
        int at = 0;
        for (int i = 0; i < ys[0]; i++) {
            for (int m = 0; m < ys[1]; m++) {
                int g = m / perGroupOut;
                for (int oh = 0; oh < ys[2]; oh++) {
                    for (int ow = 0; ow < ys[3]; ow++) {
                        float acc = b[m];
                        for (int kh = 0; kh < ws[2]; kh++) {
                            for (int kw = 0; kw < ws[3]; kw++) {
                                long ih = oh * strides[0] - padsBegin[0] + kh * dilations[0];
                                long iw = ow * strides[1] - padsBegin[1] + kw * dilations[1];
                                if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) continue;
                                for (int ci = 0; ci < perGroupIn; ci++) {
                                    long xc = (long) g * perGroupIn + ci;
                                    float xv = x[(int) (((i * xs[1] + xc) * xs[2] + ih) * xs[3] + iw)];
                                    float wv = w[(int) (((m * ws[1] + ci) * ws[2] + kh) * ws[3] + kw)];
                                    acc = Math.fma(xv, wv, acc);
                                }
                            }
                        }
                        y[at++] = acc;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void relu() {
        GradientCheck c = doubles();
        c.input("x", s(3, 4), true);
        c.node("Relu", List.of("x"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void clip() {
        GradientCheck c = doubles();
        c.input("x", c.random(s(4, 5), 3), true);
        c.constant("lo", c.tensor(s(), new double[] {-0.5}));
        c.constant("hi", c.tensor(s(), new double[] {1.5}));
        c.node("Clip", List.of("x", "lo", "hi"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void clipWithOnlyAMaximum() {
        GradientCheck c = doubles();
        c.input("x", c.random(s(10), 3), true);
        c.constant("hi", c.tensor(s(), new double[] {0.5}));
        c.node("Clip", List.of("x", "", "hi"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void sigmoid() {
        GradientCheck c = doubles();
        c.input("x", c.random(s(3, 4), 3), true);
        c.node("Sigmoid", List.of("x"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void mulAddSubDivWithBroadcasting() {
        GradientCheck c = doubles();
        c.input("a", s(2, 3, 4), true);
        c.input("b", s(3, 1), true);
        c.input("d", c.random(s(1, 4), 1), true);
        c.node("Mul", List.of("a", "b"), "m");
        c.node("Add", List.of("m", "b"), "p");
        c.node("Sub", List.of("d", "p"), "q");
        c.node("Add", List.of("d", "d"), "dd");
        c.node("Add", List.of("dd", c.constant("shift", c.tensor(s(), new double[] {3}))), "den");
        c.node("Div", List.of("q", "den"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void maxPoolWithOverlappingWindowsAndPadding() {
        GradientCheck c = doubles();
        c.input("x", s(2, 2, 5, 6), true);
        c.node("MaxPool", List.of("x"), "y").withInts("kernel_shape", 3, 2).withInts("strides", 2, 1)
                .withInts("pads", 1, 0, 1, 1);
        c.output("y");
        check64(c);
    }

    @Test
    void maxPoolTilingWindowsWithARemainder() {
        GradientCheck c = doubles();
        c.input("x", s(2, 3, 7, 6), true);
        c.node("MaxPool", List.of("x"), "y").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
        c.output("y");
        check64(c);
        assertEquals(1, count(c, "ScatterElements"), "in double one ScatterElements puts the gradient");
        assertEquals(0, c.vjpGraph().nodes().stream().filter(n -> n.outputs().size() > 1).count(),
                "the forward MaxPool outputs no indices");
    }

    @Test
    void maxPoolTilingWindowsInOneAndThreeDimensions() {
        GradientCheck c = doubles();
        c.input("x", s(2, 2, 10), true);
        c.node("MaxPool", List.of("x"), "y").withInts("kernel_shape", 3).withInts("strides", 3);
        c.input("v", s(1, 2, 4, 5, 4), true);
        c.node("MaxPool", List.of("v"), "z").withInts("kernel_shape", 2, 2, 2).withInts("strides", 2, 2, 2);
        c.output("y");
        c.output("z");
        check64(c);
    }

    /**
     * Ties everywhere (values from {0, 0.5, 1}, whole windows equal, the zeros that a Relu leaves): each window's
     * gradient goes to its first maximum in row-major order, as PyTorch's max_pool2d and ONNX Runtime's indices
     * send it; in float (MaxUnpool) and double (ScatterElements), against a direct computation and against the
     * indices form.
     */
    @Test
    void maxPoolTiesGoToTheFirstMaximum() {
        long[] shape = s(2, 3, 7, 9);
        long[] pooledShape = s(2, 3, 3, 3);
        java.util.Random r = new java.util.Random(11);
        double[] x = new double[2 * 3 * 7 * 9];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(3) * 0.5;
        for (int i = 0; i < 9; i++) x[i] = 0;
        for (int i = 9; i < 18; i++) x[i] = 1;
        double[] seed = new double[2 * 3 * 3 * 3];
        for (int i = 0; i < seed.length; i++) seed[i] = i + 1;
        double[] expected = new double[x.length];
        for (int plane = 0; plane < 6; plane++) {
            for (int oh = 0; oh < 3; oh++) {
                for (int ow = 0; ow < 3; ow++) {
                    int best = -1;
                    for (int kh = 0; kh < 2; kh++) {
                        for (int kw = 0; kw < 3; kw++) {
                            int at = plane * 63 + (oh * 2 + kh) * 9 + ow * 3 + kw;
                            if (best < 0 || x[at] > x[best]) best = at;
                        }
                    }
                    expected[best] += seed[plane * 9 + oh * 3 + ow];
                }
            }
        }
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (boolean indices : List.of(false, true)) {
                GradientCheck c = new GradientCheck(type, 7);
                c.input("x", c.tensor(shape, x), true);
                Node pool = c.node("MaxPool", List.of("x"), "y").withInts("kernel_shape", 2, 3)
                        .withInts("strides", 2, 3);
                if (indices) pool.outputs().add("i");
                c.output("y");
                double[] got = c.analytic(Map.of("y", c.tensor(pooledShape, seed))).get("x").doubles();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(expected[i], got[i], 0, type + (indices ? " with indices" : "") + " at " + i);
                }
                if (!indices) {
                    assertEquals(1, count(c, type == DataType.FLOAT ? "MaxUnpool" : "ScatterElements"));
                    assertEquals(0, c.vjpGraph().nodes().stream().filter(n -> n.outputs().size() > 1).count(),
                            "the forward MaxPool outputs no indices");
                }
            }
        }
    }

    @Test
    void reluIntoTilingMaxPool() {
        GradientCheck c = doubles();
        c.input("x", s(2, 3, 6, 5), true);
        c.node("Relu", List.of("x"), "r");
        c.node("MaxPool", List.of("r"), "y").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
        c.output("y");
        check64(c);
        assertEquals(0, c.vjpGraph().nodes().stream().filter(n -> n.opType().equals("Greater")
                && n.input(0).equals("r")).count(), "no full-size Relu mask");
    }

    /**
     * Relu then tiled MaxPool on values with ties at zero and above: the gradient that skips the Relu's own mask
     * equals the Relu's backward after the MaxPool's (a second reader of the Relu's output keeps that form) and a
     * direct computation.
     */
    @Test
    void reluIntoTilingMaxPoolWithTies() {
        long[] shape = s(2, 2, 5, 6);
        java.util.Random r = new java.util.Random(5);
        double[] x = new double[2 * 2 * 5 * 6];
        for (int i = 0; i < x.length; i++) x[i] = (r.nextInt(4) - 1) * 0.5;
        double[] seed = new double[2 * 2 * 2 * 3];
        for (int i = 0; i < seed.length; i++) seed[i] = i + 1;
        double[] expected = new double[x.length];
        for (int plane = 0; plane < 4; plane++) {
            for (int oh = 0; oh < 2; oh++) {
                for (int ow = 0; ow < 3; ow++) {
                    int best = -1;
                    for (int kh = 0; kh < 2; kh++) {
                        for (int kw = 0; kw < 2; kw++) {
                            int at = plane * 30 + (oh * 2 + kh) * 6 + ow * 2 + kw;
                            if (best < 0 || Math.max(x[at], 0) > Math.max(x[best], 0)) best = at;
                        }
                    }
                    if (x[best] > 0) expected[best] += seed[plane * 6 + oh * 3 + ow];
                }
            }
        }
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (boolean secondReader : List.of(false, true)) {
                GradientCheck c = new GradientCheck(type, 7);
                c.input("x", c.tensor(shape, x), true);
                c.node("Relu", List.of("x"), "r");
                c.node("MaxPool", List.of("r"), "y").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2);
                c.output("y");
                Map<String, Tensor> seeds = new java.util.HashMap<>();
                seeds.put("y", c.tensor(s(2, 2, 2, 3), seed));
                if (secondReader) {
                    c.node("Identity", List.of("r"), "copy");
                    c.output("copy");
                    seeds.put("copy", c.tensor(shape, new double[x.length]));
                }
                double[] got = c.analytic(seeds).get("x").doubles();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(expected[i], got[i], 0, type + (secondReader ? " unfused" : " fused") + " at " + i);
                }
            }
        }
    }

    @Test
    void averagePool() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 5, 6), true);
        c.node("AveragePool", List.of("x"), "y").withInts("kernel_shape", 3, 2).withInts("strides", 2, 2)
                .withInts("pads", 1, 0, 1, 1);
        c.output("y");
        check32(c);
    }

    @Test
    void averagePoolWithTilingWindowsAndARemainder() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 7, 9), true);
        c.node("AveragePool", List.of("x"), "y").withInts("kernel_shape", 3, 4).withInts("strides", 3, 4);
        c.output("y");
        check32(c);
        assertEquals(0, c.vjpGraph().nodes().stream().filter(n -> n.opType().equals("ConvTranspose")).count(),
                "tiling windows spread the gradient with an Expand");
    }

    @Test
    void averagePoolCountingPadsWithCeilMode() {
        GradientCheck c = floats();
        c.input("x", s(1, 2, 5, 5), true);
        c.node("AveragePool", List.of("x"), "y").withInts("kernel_shape", 2, 2).withInts("strides", 2, 2)
                .withInts("pads", 1, 1, 0, 0).with("count_include_pad", 1).with("ceil_mode", 1);
        c.output("y");
        check32(c);
    }

    @Test
    void globalAveragePoolAndFlatten() {
        GradientCheck c = floats();
        c.input("x", s(2, 3, 4, 5), true);
        c.node("GlobalAveragePool", List.of("x"), "p");
        c.node("Flatten", List.of("p"), "y");
        c.output("y");
        check32(c);
    }

    @Test
    void reshapeSqueezeUnsqueeze() {
        GradientCheck c = doubles();
        c.input("x", s(2, 6), true);
        c.constant("shape", Tensor.vector(3, 1, 4));
        c.constant("axes", Tensor.vector(1));
        c.node("Reshape", List.of("x", "shape"), "r");
        c.node("Squeeze", List.of("r", "axes"), "q");
        c.node("Unsqueeze", List.of("q", "axes"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void gemmInAllTranspositions() {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                GradientCheck c = doubles();
                c.input("a", ta == 0 ? s(3, 4) : s(4, 3), true);
                c.input("b", tb == 0 ? s(4, 5) : s(5, 4), true);
                c.input("c", s(5), true);
                c.node("Gemm", List.of("a", "b", "c"), "y").with("transA", ta).with("transB", tb)
                        .with("alpha", 0.7f).with("beta", 1.3f);
                c.output("y");
                check64(c);
            }
        }
    }

    @Test
    void matMulWithBroadcastBatch() {
        // float: ONNX Runtime fuses MatMul with Transpose into a kernel that exists for float only
        GradientCheck c = floats();
        c.input("a", s(2, 3, 4), true);
        c.input("b", s(4, 5), true);
        c.node("MatMul", List.of("a", "b"), "y");
        c.output("y");
        check32(c);
    }

    @Test
    void concatAndSplit() {
        GradientCheck c = doubles();
        c.input("a", s(2, 3), true);
        c.input("b", s(2, 2), true);
        c.constant("sizes", Tensor.vector(1, 4));
        c.node("Concat", List.of("a", "b"), "cat").with("axis", -1);
        c.node("Split", List.of("cat", "sizes"), "left", "right").with("axis", 1);
        c.output("right");
        check64(c);
    }

    @Test
    void sliceWithUnitAndOtherSteps() {
        GradientCheck c = doubles();
        c.input("x", s(4, 7), true);
        c.constant("starts", Tensor.vector(1, -1));
        c.constant("ends", Tensor.vector(3, 0));
        c.constant("axes", Tensor.vector(0, 1));
        c.constant("steps", Tensor.vector(1, -2));
        c.constant("starts2", Tensor.vector(2));
        c.constant("ends2", Tensor.vector(100));
        c.node("Slice", List.of("x", "starts", "ends", "axes", "steps"), "y");
        c.node("Slice", List.of("x", "starts2", "ends2"), "z");
        c.output("y");
        c.output("z");
        check64(c);
    }

    @Test
    void transpose() {
        GradientCheck c = doubles();
        c.input("x", s(2, 3, 4), true);
        c.node("Transpose", List.of("x"), "y").withInts("perm", 1, 2, 0);
        c.output("y");
        check64(c);
    }

    @Test
    void reduceMeanAndReduceSum() {
        GradientCheck c = doubles();
        c.input("x", s(2, 3, 4), true);
        c.constant("axes", Tensor.vector(0, 2));
        c.node("ReduceMean", List.of("x"), "m").withInts("axes", 1).with("keepdims", 0);
        c.node("ReduceSum", List.of("x", "axes"), "s");
        c.output("m");
        c.output("s");
        check64(c);
    }

    @Test
    void identityAndZeroRatioDropout() {
        GradientCheck c = doubles();
        c.input("x", s(3, 2), true);
        c.constant("ratio", c.tensor(s(), new double[] {0}));
        c.node("Identity", List.of("x"), "i");
        c.node("Dropout", List.of("i", "ratio"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void trainingDropoutPassesGradientThroughItsMask() {
        GradientCheck c = doubles();
        c.input("x", c.random(s(200), 1), true);
        c.constant("ratio", c.tensor(s(), new double[] {0.25}));
        c.node("Dropout", List.of("x", "ratio"), "y");
        c.output("y");
        Tensor seed = c.tensor(s(200), java.util.stream.DoubleStream.generate(() -> 1).limit(200).toArray());
        double[] grad = c.analytic(Map.of("y", seed)).get("x").doubles();
        long kept = java.util.Arrays.stream(grad).filter(g -> Math.abs(g - 1 / 0.75) < 1e-12).count();
        long dropped = java.util.Arrays.stream(grad).filter(g -> g == 0).count();
        assertEquals(200, kept + dropped, "every gradient is 0 or 1 / (1 - ratio)");
        assertTrue(kept > 100 && dropped > 20, kept + " kept, " + dropped + " dropped");
    }

    @Test
    void sharedValueSumsGradientsOfAllConsumers() {
        GradientCheck c = doubles();
        c.input("x", s(3, 3), true);
        c.node("Relu", List.of("x"), "r");
        c.node("Mul", List.of("x", "r"), "m");
        c.node("Sigmoid", List.of("x"), "g");
        c.node("Add", List.of("m", "g"), "y");
        c.output("y");
        check64(c);
    }

    @Test
    void unsupportedOperatorOnTheGradientPathIsNamed() {
        GradientCheck c = doubles();
        c.input("x", s(2, 3), true);
        c.node("Tanh", List.of("x"), "y").setName("odd_one");
        c.output("y");
        BadInputException e = assertThrows(BadInputException.class, c::vjpGraph);
        assertTrue(e.getMessage().contains("'odd_one'") && e.getMessage().contains("Tanh"), e.getMessage());
    }

    @Test
    void constantInputsGetNoGradientNodes() {
        GradientCheck c = floats();
        c.input("x", s(2, 3), false);
        c.input("w", s(3, 3), true);
        c.node("MatMul", List.of("x", "w"), "y");
        c.output("y");
        List<Node> nodes = c.vjpGraph().nodes();
        assertEquals(0, nodes.stream().filter(n -> n.outputs().get(0).startsWith("matmul_da")).count(),
                "no gradient is computed for the constant input");
        assertEquals(1, nodes.stream().filter(n -> n.outputs().get(0).startsWith("matmul_db")).count());
        check32(c);
    }
}
