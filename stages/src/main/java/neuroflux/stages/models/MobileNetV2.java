package neuroflux.stages.models;

import neuroflux.onnx.Graph;

/**
 * MobileNetV2 as torchvision defines it, in the CIFAR form: the stem and the first stride-2 stage keep stride 1,
 * so a 32×32 input ends at 4×4 rather than 1×1. Names follow torchvision ({@code features.3.conv.1.0.weight}).
 */
final class MobileNetV2 {
    /** Expansion t, output channels c, repeats n, stride s of each stage; torchvision's, second stride made 1. */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    private MobileNetV2() {}

    static Graph build(String name, double widthMultiplier, long[] inputChw, int classes, long seed) {
        NetworkBuilder b = new NetworkBuilder(name, inputChw, seed);
        int channels = makeDivisible(32 * widthMultiplier);
        int lastChannels = makeDivisible(1280 * Math.max(1.0, widthMultiplier));
        int index = 0;
        Activation x = convBnRelu6(b, "features." + index++, b.input(), channels, 3, 1, 1);
        for (int[] stage : STAGES) {
            int out = makeDivisible(stage[1] * widthMultiplier);
            for (int i = 0; i < stage[2]; i++) {
                x = invertedResidual(b, "features." + index++, x, out, i == 0 ? stage[3] : 1, stage[0]);
            }
        }
        x = convBnRelu6(b, "features." + index, x, lastChannels, 1, 1, 1);
        x = b.globalAvgPool("", x);
        x = b.flatten("", x);
        // classifier.0 is the dropout, which inference leaves out
        return b.finish(b.linear("classifier.1", x, classes));
    }

    private static Activation invertedResidual(NetworkBuilder b, String module, Activation x, int out, int stride,
                                               int expansion) {
        int hidden = Math.toIntExact(x.channels() * expansion);
        int layer = 0;
        Activation y = x;
        if (expansion != 1) y = convBnRelu6(b, module + ".conv." + layer++, y, hidden, 1, 1, 1);
        y = convBnRelu6(b, module + ".conv." + layer++, y, hidden, 3, stride, hidden);
        y = b.conv(module + ".conv." + layer++, y, out, 1, 1);
        y = b.batchNorm(module + ".conv." + layer, y);
        return stride == 1 && x.channels() == out ? b.add(module, x, y) : y;
    }

    private static Activation convBnRelu6(NetworkBuilder b, String module, Activation x, int out, int kernel,
                                          int stride, int groups) {
        Activation y = b.conv(module + ".0", x, out, kernel, stride, (kernel - 1) / 2, groups, false);
        y = b.batchNorm(module + ".1", y);
        return b.relu6(module + ".2", y);
    }

    /** torchvision's _make_divisible: the nearest multiple of 8, at least 8, never below 90% of the value. */
    static int makeDivisible(double value) {
        int divisor = 8;
        int rounded = Math.max(divisor, (int) (value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
