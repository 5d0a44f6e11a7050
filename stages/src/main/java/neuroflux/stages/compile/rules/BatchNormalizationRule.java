package neuroflux.stages.compile.rules;

import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.stages.compile.Emitter;
import neuroflux.stages.compile.Rounding;

/**
 * BatchNormalization. In training it normalises with the batch's own mean and biased variance, computed by
 * explicit reductions and then applied by an inference-mode BatchNormalization (one fused pass), or in float32
 * with {@link Rounding#PYTORCH_CPU} as PyTorch's CPU kernel rounds ({@link #pytorchForward}). The running
 * statistics are updated as PyTorch does: with PyTorch's momentum m = 1 - ONNX momentum,
 * running_mean = (1 - m) running_mean + m mean and running_var = (1 - m) running_var + m unbiased_var.
 *
 * <p>With xc = x - mean, istd = 1 / sqrt(var + eps) and M elements per channel, the gradients are
 * dbias = sum(dy), dscale = istd sum(dy xc) and dx = a dy + b xc + c per channel, where a = scale istd,
 * b = -a istd^2 sum(dy xc) / M and c = -a sum(dy) / M. The per-channel affine maps (x - mean, b xc + c) run as
 * inference-mode BatchNormalization nodes ({@link #channelAffine}).
 */
final class BatchNormalizationRule implements GradientRule {
    @Override
    public void forward(Node node, GradientContext ctx) {
        if (!ctx.training()) {
            Node copy = node.copy();
            copy.attributes().remove("training_mode");
            while (copy.outputs().size() > 1) copy.outputs().removeLast();
            ctx.keep(copy);
            return;
        }
        Emitter e = ctx.emit();
        String x = node.input(0);
        long[] xs = e.shape(x);
        int rank = xs.length;
        long channels = xs[1];
        long[] axes = Axes.allButChannel(rank);
        long count = Axes.count(xs, axes);
        double eps = node.floatAttr("epsilon", 1e-5f);
        double momentum = node.floatAttr("momentum", 0.9f);

        String meanC;
        String varC;
        if (e.dtype() == DataType.FLOAT && ctx.rounding() == Rounding.PYTORCH_CPU) {
            String[] stats = pytorchForward(ctx, node, x, axes, count, channels, rank, eps);
            meanC = stats[0];
            varC = stats[1];
        } else {
            String mean = e.reduceMean(x, axes, true);
            meanC = e.reshape(mean, channels);
            String centered = channelAffine(e, x, e.floats(new long[] {channels}, ones(channels)), e.neg(meanC),
                    channels);
            String var = e.reduceMean(e.mul(centered, centered), axes, true);
            varC = e.reshape(var, channels);
            e.nodeTo("BatchNormalization", java.util.List.of(node.output(0)), x, node.input(1), node.input(2), meanC,
                    varC).with("epsilon", (float) eps);
            ctx.save(node, "centered", centered);
            ctx.save(node, "var", var);
        }

        String keep = e.scalar(momentum);
        String runningMean = e.add(e.mul(node.input(3), keep), e.mul(meanC, e.scalar(1 - momentum)));
        double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
        String runningVar = e.add(e.mul(node.input(4), keep), e.mul(varC, e.scalar((1 - momentum) * unbias)));
        ctx.addStateUpdate(node.input(3), runningMean);
        ctx.addStateUpdate(node.input(4), runningVar);
        for (int i = 1; i <= 2 && i < node.outputs().size(); i++) {
            if (!node.output(i).isEmpty()) {
                e.nodeTo("Identity", java.util.List.of(node.output(i)), i == 1 ? runningMean : runningVar);
            }
        }
    }

    /**
     * The float32 training forward with PyTorch's CPU rounding (aten batch_norm_cpu_collect_stats_contiguous_impl
     * and batch_norm_cpu_transform_input): the mean is the float64 sum over the batch and positions divided in
     * float64 and rounded once to float; the variance is the float64 sum of the float squares (x - mean)^2,
     * rounded to float, divided by the count in float; 1 / sqrt(var + eps) is taken in float64 and rounded; then
     * alpha = scale istd and beta = bias - mean alpha in float, and y = x alpha + beta as one fused multiply-add
     * (here: the exact float64 product plus beta, rounded once). Bit for bit PyTorch's values (torch 2.14 on
     * every batch norm of the mobilenet fixture; with several threads PyTorch takes this path at 1x1 maps too).
     * Returns the per-channel mean and biased variance ([C]); saves what the backward reads.
     */
    private static String[] pytorchForward(GradientContext ctx, Node node, String x, long[] axes, long count,
                                           long channels, int rank, double eps) {
        Emitter e = ctx.emit();
        long[] cs = Axes.channelShape(channels, rank);
        String xd = e.cast(x, DataType.DOUBLE);
        String mean = e.cast(e.op("Div", "bn_mean", e.reduceSum(xd, axes, true), doubleScalar(e, count)),
                DataType.FLOAT);
        String centered = e.sub(x, mean);
        String varSum = e.cast(e.reduceSum(e.cast(e.mul(centered, centered), DataType.DOUBLE), axes, true),
                DataType.FLOAT);
        String var = e.op("Div", "bn_var", varSum, e.scalar(count));
        String istd = e.cast(e.op("Reciprocal", "bn_istd", e.op("Sqrt", "bn_std",
                e.add(e.cast(var, DataType.DOUBLE), doubleScalar(e, eps)))), DataType.FLOAT);
        String alpha = e.mul(istd, e.reshape(node.input(1), cs));
        String beta = e.sub(e.reshape(node.input(2), cs), e.mul(mean, alpha));
        // y = x alpha + beta in one pass: an inference-mode BatchNormalization in float64 with mean 0 and
        // var + eps exactly 1 (2^-10 is exact in float and 1 - 2^-10 in double), so that it computes the exact
        // product x alpha plus beta, rounded to double; the Cast then rounds to float as the fused multiply-add
        // does (unless that double lies exactly halfway between two floats: double rounding)
        double unitEps = Math.scalb(1.0, -10);
        double[] unit = new double[(int) channels];
        java.util.Arrays.fill(unit, 1 - unitEps);
        String fused = e.node("BatchNormalization", "bn_fma", xd, e.cast(e.reshape(alpha, channels), DataType.DOUBLE),
                e.cast(e.reshape(beta, channels), DataType.DOUBLE),
                e.constant("t", Tensor.ofDoubles(new long[] {channels}, new double[(int) channels])),
                e.constant("t", Tensor.ofDoubles(new long[] {channels}, unit)))
                .with("epsilon", (float) unitEps).output(0);
        e.nodeTo("Cast", java.util.List.of(node.output(0)), fused).with("to", DataType.FLOAT.code);
        ctx.save(node, "centered", centered);
        ctx.save(node, "var", var);
        return new String[] {e.reshape(mean, channels), e.reshape(var, channels)};
    }

    private static String doubleScalar(Emitter e, double v) {
        return e.constant("c", Tensor.ofDoubles(new long[0], v));
    }

    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        Emitter e = ctx.emit();
        String x = node.input(0);
        String scale = node.input(1);
        String bias = node.input(2);
        long[] xs = e.shape(x);
        int rank = xs.length;
        long channels = xs[1];
        long[] axes = Axes.allButChannel(rank);
        long count = Axes.count(xs, axes);
        double eps = node.floatAttr("epsilon", 1e-5f);
        long[] cs = Axes.channelShape(channels, rank);

        String centered;
        String istd;
        if (ctx.training()) {
            centered = ctx.saved(node, "centered");
            istd = e.op("Reciprocal", "bn_istd", e.op("Sqrt", "bn_std", e.add(ctx.saved(node, "var"),
                    e.scalar(eps))));
        } else {
            centered = e.sub(x, e.reshape(node.input(3), cs));
            istd = e.op("Reciprocal", "bn_istd", e.op("Sqrt", "bn_std", e.add(e.reshape(node.input(4), cs),
                    e.scalar(eps))));
        }
        String sumDy = e.reduceSum(dy, axes, true);
        if (ctx.needsGrad(bias)) ctx.addGrad(bias, e.reshape(sumDy, channels));
        boolean wantScale = ctx.needsGrad(scale);
        boolean wantX = ctx.needsGrad(x);
        if (!wantScale && !wantX) return;
        String sumDyXc = wantScale || ctx.training() ? e.reduceSum(e.mul(dy, centered), axes, true) : null;
        if (wantScale) ctx.addGrad(scale, e.reshape(e.mul(sumDyXc, istd), channels));
        if (!wantX) return;
        String a = e.mul(e.reshape(scale, cs), istd);
        String dx = e.mul(dy, a);
        if (ctx.training()) {
            String b = e.mul(e.mul(a, e.mul(istd, istd)), e.mul(sumDyXc, e.scalar(-1.0 / count)));
            String c = e.mul(a, e.mul(sumDy, e.scalar(-1.0 / count)));
            dx = e.add(dx, channelAffine(e, centered, e.reshape(b, channels), e.reshape(c, channels), channels));
        }
        ctx.addGrad(x, dx);
    }

    /** The margin by which the affine trick's variance input stays below one: sqrt((1 - m) + m) = 1. */
    private static final double AFFINE_EPSILON = 1e-5;

    /**
     * x * scale[c] + bias[c] per channel as one inference-mode BatchNormalization (mean 0, variance 1): ONNX Runtime
     * runs it as one pass, faster than the broadcasting Mul and Add it replaces (measured 10 to 20 percent on whole
     * training steps of the fixtures).
     */
    static String channelAffine(Emitter e, String x, String scale, String bias, long channels) {
        double[] unit = new double[(int) channels];
        java.util.Arrays.fill(unit, 1 - AFFINE_EPSILON);
        return e.node("BatchNormalization", "channel_affine", x, scale, bias,
                e.floats(new long[] {channels}, new double[(int) channels]), e.floats(new long[] {channels}, unit))
                .with("epsilon", (float) AFFINE_EPSILON).output(0);
    }

    private static double[] ones(long n) {
        double[] v = new double[(int) n];
        java.util.Arrays.fill(v, 1);
        return v;
    }
}
