package neuroflux.stages.data;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import neuroflux.onnx.BadInputException;

/**
 * Random changes to a training sample that keep its class: a crop of the sample padded by {@code pad} pixels on
 * each side (a shift of up to {@code pad} pixels, the uncovered border filled with 0, which after normalisation is
 * the training mean), and with {@code flip} a mirror image left to right half of the time.
 */
public record Augmentation(int pad, boolean flip) {
    public static final Augmentation NONE = new Augmentation(0, false);

    public Augmentation {
        if (pad < 0) throw new BadInputException("the crop padding must be 0 or more, not " + pad);
    }

    /** The usual padding for a sample size: 4 pixels from 32 x 32 up (CIFAR), 2 below (28 x 28 Fashion-MNIST). */
    public static int defaultPad(long[] sampleShape) {
        long side = Math.min(sampleShape[1], sampleShape[2]);
        return side >= 32 ? 4 : (int) Math.min(2, side / 4);
    }

    public boolean changesSamples() {
        return pad > 0 || flip;
    }

    /** Changes the sample of {@code sampleShape} (C x H x W) at {@code offset} in {@code data} in place. */
    public void apply(float[] data, int offset, long[] sampleShape, RandomGenerator rng) {
        int c = (int) sampleShape[0];
        int h = (int) sampleShape[1];
        int w = (int) sampleShape[2];
        int dy = pad > 0 ? rng.nextInt(-pad, pad + 1) : 0;
        int dx = pad > 0 ? rng.nextInt(-pad, pad + 1) : 0;
        boolean mirror = flip && rng.nextBoolean();
        if (dx == 0 && dy == 0 && !mirror) return;
        float[] in = Arrays.copyOfRange(data, offset, offset + c * h * w);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                int row = offset + (ch * h + y) * w;
                for (int x = 0; x < w; x++) {
                    int sx = (mirror ? w - 1 - x : x) + dx;
                    data[row + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? in[(ch * h + sy) * w + sx] : 0f;
                }
            }
    }
}
