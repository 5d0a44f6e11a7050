package neuroflux.stages.compile.rules;

import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;

/**
 * AveragePool: each output's gradient, divided by the number of elements its window averaged, spreads evenly
 * over the window: a depthwise ConvTranspose with a kernel of ones. The divisors depend only on the position,
 * so they are a constant computed here (count_include_pad and ceil_mode decide them).
 */
final class AveragePoolRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null || !ctx.needsGrad(node.input(0))) return;
        Emitter e = ctx.emit();
        long[] xs = e.shape(node.input(0));
        long[] ys = e.shape(node.output(0));
        long[] kernel = node.intsAttr("kernel_shape", null);
        if (kernel == null) throw new BadInputException("node " + node.describe() + " has no kernel_shape");
        WindowGeometry geo = WindowGeometry.of(node, xs, ys, kernel);
        if (java.util.Arrays.stream(geo.dilations()).anyMatch(d -> d != 1)) {
            throw new BadInputException("node " + node.describe() + " pools with dilations, which neuroflux "
                    + "cannot differentiate");
        }
        boolean includePad = node.intAttr("count_include_pad", 0) == 1;
        int n = geo.rank();
        long[] outSpatial = geo.output();
        int cells = Math.toIntExact(Axes.size(outSpatial));
        double[] inverse = new double[cells];
        for (int flat = 0; flat < cells; flat++) {
            long rem = flat;
            long count = 1;
            for (int i = n - 1; i >= 0; i--) {
                long o = rem % outSpatial[i];
                rem /= outSpatial[i];
                long start = o * geo.strides()[i] - geo.padsBegin()[i];
                long end = start + kernel[i];
                long lo = includePad ? start : Math.max(start, 0);
                long hi = includePad ? Math.min(end, geo.input()[i] + geo.padsEnd()[i]) : Math.min(end, geo.input()[i]);
                count *= Math.max(1, hi - lo);
            }
            inverse[flat] = 1.0 / count;
        }
        long[] mapShape = new long[n + 2];
        mapShape[0] = 1;
        mapShape[1] = 1;
        System.arraycopy(outSpatial, 0, mapShape, 2, n);
        String scaled = e.mul(dy, e.floats(mapShape, inverse));

        long channels = xs[1];
        long[] onesShape = new long[n + 2];
        onesShape[0] = channels;
        onesShape[1] = 1;
        System.arraycopy(kernel, 0, onesShape, 2, n);
        double[] ones = new double[Math.toIntExact(Axes.size(onesShape))];
        java.util.Arrays.fill(ones, 1.0);
        long[][] padding = geo.transposedPadding();
        Node t = e.node("ConvTranspose", "avgpool_grad", scaled, e.floats(onesShape, ones))
                .withInts("kernel_shape", kernel).withInts("strides", geo.strides()).withInts("pads", padding[0])
                .with("group", channels);
        if (java.util.Arrays.stream(padding[1]).anyMatch(p -> p != 0)) t.withInts("output_padding", padding[1]);
        ctx.addGrad(node.input(0), t.output(0));
    }
}
