package neuroflux.stages.models;

import neuroflux.onnx.Graph;

/**
 * VGG with batch norm in its small-image form (as trained on CIFAR): the standard stacks of 3×3 convolutions
 * (with bias, as torchvision's) + BN + ReLU and 2×2 max pools, then global average pooling and one linear layer.
 * Layers are numbered in {@code features} as in torchvision's nn.Sequential.
 */
final class Vgg {
    /** Marks a max pool in a configuration. */
    private static final int POOL = 0;

    static final int[] VGG11 = {64, POOL, 128, POOL, 256, 256, POOL, 512, 512, POOL, 512, 512, POOL};
    static final int[] VGG16 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL,
            512, 512, 512, POOL};
    static final int[] VGG19 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, 256, POOL, 512, 512, 512, 512, POOL,
            512, 512, 512, 512, POOL};

    private Vgg() {}

    static Graph build(String name, int[] config, long[] inputChw, int classes, long seed) {
        NetworkBuilder b = new NetworkBuilder(name, inputChw, seed);
        Activation x = b.input();
        int index = 0;
        for (int width : config) {
            if (width == POOL) {
                // a small input (28×28) runs out of pixels before the last pool; pooling 1×1 would fail
                if (x.height() < 2 || x.width() < 2) continue;
                x = b.maxPool("features." + index++, x, 2, 2);
            } else {
                x = b.conv("features." + index++, x, width, 3, 1, 1, 1, true);
                x = b.batchNorm("features." + index++, x);
                x = b.relu("features." + index++, x);
            }
        }
        x = b.globalAvgPool("", x);
        x = b.flatten("", x);
        return b.finish(b.linear("classifier", x, classes));
    }
}
