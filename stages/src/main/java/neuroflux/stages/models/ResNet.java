package neuroflux.stages.models;

import neuroflux.onnx.Graph;

/**
 * ResNet with BasicBlocks in its CIFAR form: a 3×3 stride-1 stem of 64 channels and no max pool, four stages of
 * 64, 128, 256 and 512 channels (the last three halving the size), global average pooling and one linear layer.
 * Names follow torchvision ({@code layer2.0.downsample.0.weight}).
 */
final class ResNet {
    static final int[] RESNET18 = {2, 2, 2, 2};
    static final int[] RESNET34 = {3, 4, 6, 3};
    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final int[] STRIDES = {1, 2, 2, 2};

    private ResNet() {}

    static Graph build(String name, int[] blocks, long[] inputChw, int classes, long seed) {
        NetworkBuilder b = new NetworkBuilder(name, inputChw, seed);
        Activation x = b.conv("conv1", b.input(), 64, 3, 1);
        x = b.batchNorm("bn1", x);
        x = b.relu("relu", x);
        for (int stage = 0; stage < blocks.length; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                String module = "layer" + (stage + 1) + "." + i;
                x = basicBlock(b, module, x, WIDTHS[stage], i == 0 ? STRIDES[stage] : 1);
            }
        }
        x = b.globalAvgPool("", x);
        x = b.flatten("", x);
        return b.finish(b.linear("fc", x, classes));
    }

    /** conv-BN-ReLU-conv-BN plus the shortcut, then ReLU; the shortcut projects by 1×1 conv + BN when shapes change. */
    private static Activation basicBlock(NetworkBuilder b, String module, Activation x, int width, int stride) {
        Activation y = b.conv(module + ".conv1", x, width, 3, stride);
        y = b.batchNorm(module + ".bn1", y);
        y = b.relu(module + ".relu", y);
        y = b.conv(module + ".conv2", y, width, 3, 1);
        y = b.batchNorm(module + ".bn2", y);
        Activation shortcut = x;
        if (stride != 1 || x.channels() != width) {
            shortcut = b.conv(module + ".downsample.0", x, width, 1, stride);
            shortcut = b.batchNorm(module + ".downsample.1", shortcut);
        }
        return b.relu(module + ".relu", b.add(module, y, shortcut));
    }
}
